/** One run: what it was given, what it produced, where it ran, and its source. */

import * as React from 'react';

import {
  formatDuration,
  formatMetric,
  formatValue,
  latestMetrics,
  relativeTime,
  shortHash,
  summaryLines
} from '../format';
import { RunsModel } from '../model';
import { Artifact, Binding, EnvSnapshot, RunDetail } from '../types';
import { BackButton, ErrorBanner, KeyLines, Section, StatusIcon, useNow } from './common';
import { ArchiveButton, NoteEditor, TagsEditor } from './Manage';
import { RerunStatus } from './Rerun';

export interface DetailActions {
  /** Activate the notebook and select the cell; resolves false when it cannot be found. */
  goToCell(notebookPath: string, cellId: string): Promise<boolean>;
  loadObject(hash: string, run: string): Promise<Blob>;
}

export function RunDetailView(props: { model: RunsModel; actions: DetailActions }): JSX.Element {
  const { model, actions } = props;
  const detail = model.detail;
  return (
    <div className="nbtrail-detail">
      <div className="nbtrail-detail-bar">
        <BackButton onClick={() => model.back()} />
      </div>
      <ErrorBanner message={model.error} />
      {detail ? (
        <DetailBody detail={detail} model={model} actions={actions} />
      ) : (
        <div className="nbtrail-empty">Loading…</div>
      )}
    </div>
  );
}

function DetailBody(props: {
  detail: RunDetail;
  model: RunsModel;
  actions: DetailActions;
}): JSX.Element {
  const { detail, actions, model } = props;
  const { run, environment } = detail;
  const [cellMessage, setCellMessage] = React.useState<string | null>(null);
  const now = useNow();
  const notebook = detail.notebook_path;
  const canGoToCell = Boolean(notebook && run.cell_id);
  const goToCell = async () => {
    const found = await actions.goToCell(notebook as string, run.cell_id as string);
    setCellMessage(found ? null : 'That cell is no longer in the notebook.');
  };
  const images = run.artifacts.filter(a => a.media_type.startsWith('image/'));
  return (
    <>
      <header className="nbtrail-detail-header">
        <h2 className="nbtrail-detail-title">
          <StatusIcon status={run.status} /> {run.name}
        </h2>
        <div className="nbtrail-detail-sub">
          <span title={run.id}>run {run.id.slice(-8)}</span>
          <span title={new Date(run.started * 1000).toLocaleString()}>
            {relativeTime(run.started, now)}
          </span>
          <span>{formatDuration(run.duration)}</span>
          {run.lifecycle && run.lifecycle !== 'active' && (
            <span className="nbtrail-badge">{run.lifecycle}</span>
          )}
        </div>
        {run.notebook && (
          <div className="nbtrail-detail-notebook" title={run.notebook}>
            {notebook ?? run.notebook}
          </div>
        )}
        <div className="nbtrail-actions">
          <button className="jp-mod-styled" disabled={!canGoToCell} onClick={() => void goToCell()}>
            Go to cell
          </button>
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={() => void model.rerun(run.id)}
            disabled={model.jobActive}
            title="Execute the notebook again with papermill and compare"
          >
            Re-run
          </button>
          <ArchiveButton run={run} model={model} />
        </div>
        {model.job?.run === run.id && <RerunStatus model={model} />}
        {cellMessage && <div className="nbtrail-empty">{cellMessage}</div>}
      </header>
      {run.exception && (
        <Section title="Exception">
          <pre className="nbtrail-pre nbtrail-exception">
            {`${run.exception.type}: ${run.exception.message}`}
          </pre>
        </Section>
      )}
      <Section title="Metrics" count={latestMetrics(run).size}>
        <KeyLines
          rows={[...latestMetrics(run)].map(([k, v]) => [k, formatMetric(v)])}
          empty="no metrics logged"
        />
      </Section>
      <Section title="Parameters" count={run.params.length}>
        <KeyLines rows={run.params.map(p => [p.key, formatValue(p.value)])} empty="no parameters" />
      </Section>
      <TagsEditor run={run} model={model} />
      <NoteEditor run={run} model={model} />
      <Bindings title="Inputs" bindings={run.bindings.filter(b => b.direction === 'in')} />
      <Bindings title="Outputs" bindings={run.bindings.filter(b => b.direction === 'out')} />
      {images.length > 0 && (
        <Section title="Figures" count={images.length}>
          <div className="nbtrail-figures">
            {images.map(a => (
              <Thumbnail key={a.hash} artifact={a} run={run.id} load={actions.loadObject} />
            ))}
          </div>
        </Section>
      )}
      <Environment env={environment} />
      <Section title="Source">
        <pre className="nbtrail-pre nbtrail-source">{run.source}</pre>
      </Section>
    </>
  );
}

/** Each binding as a small block: name and kind, the short hash, its summary as lines. */
function Bindings(props: { title: string; bindings: Binding[] }): JSX.Element {
  return (
    <Section title={props.title} count={props.bindings.length}>
      {props.bindings.length === 0 ? (
        <div className="nbtrail-empty">none</div>
      ) : (
        <ul className="nbtrail-bindings">
          {props.bindings.map(b => (
            <li key={`${b.direction}:${b.name}`} className="nbtrail-binding">
              <div className="nbtrail-run-line">
                <span className="nbtrail-binding-name">{b.name}</span>
                <span className="nbtrail-kind">{b.kind}</span>
                <code className="nbtrail-hash" title={b.hash ?? 'not hashed'}>
                  {shortHash(b.hash)}
                </code>
              </div>
              <KeyLines rows={summaryLines(b.summary)} empty="" />
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** An image artifact fetched with the server's auth and shown from an object URL. */
export function Thumbnail(props: {
  artifact: Artifact;
  run: string;
  load: (hash: string, run: string) => Promise<Blob>;
}): JSX.Element {
  const [url, setUrl] = React.useState<string | null>(null);
  React.useEffect(() => {
    let objectUrl: string | null = null;
    let live = true;
    props.load(props.artifact.hash, props.run).then(
      blob => {
        if (live) {
          objectUrl = URL.createObjectURL(blob);
          setUrl(objectUrl);
        }
      },
      () => undefined
    );
    return () => {
      live = false;
      if (objectUrl) {
        URL.revokeObjectURL(objectUrl);
      }
    };
  }, [props.artifact.hash, props.run]);
  return (
    <figure className="nbtrail-figure">
      {url ? (
        <a href={url} target="_blank" rel="noreferrer">
          <img src={url} alt={props.artifact.name} />
        </a>
      ) : (
        <div className="nbtrail-figure-placeholder" />
      )}
      <figcaption>{props.artifact.name}</figcaption>
    </figure>
  );
}

function Environment(props: { env: EnvSnapshot | null }): JSX.Element {
  const [query, setQuery] = React.useState('');
  const env = props.env;
  if (!env) {
    return (
      <Section title="Environment">
        <div className="nbtrail-empty">not recorded</div>
      </Section>
    );
  }
  const packages = Object.entries(env.packages).sort(([a], [b]) => a.localeCompare(b));
  const shown = packages.filter(([name]) => name.toLowerCase().includes(query.toLowerCase()));
  const git = Object.entries(env.git).map(([k, v]): [string, string] => [
    `git ${k}`,
    formatValue(v)
  ]);
  return (
    <Section title="Environment">
      <KeyLines rows={[['python', env.python], ['platform', env.platform], ...git]} />
      <details className="nbtrail-packages">
        <summary>{packages.length} packages</summary>
        <input
          className="jp-mod-styled nbtrail-filter"
          type="search"
          placeholder="Search packages"
          aria-label="Search packages"
          value={query}
          onChange={event => setQuery(event.target.value)}
        />
        <KeyLines rows={shown} empty="no match" />
      </details>
    </Section>
  );
}
