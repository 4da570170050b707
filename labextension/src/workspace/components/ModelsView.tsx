/**
 * The model registry: registered models; for the open one its aliases now,
 * its versions (each with a link to the run that made it, its metrics and
 * training data) and every alias move with its gates.
 */

import * as React from 'react';

import { ErrorBanner, KeyLines, Section } from '../../components/common';
import { formatMetric, formatValue, relativeTime, shortHash, summaryLines } from '../../format';
import { messageOf } from '../../errors';
import { AliasEvent, ModelVersion, MonitoringOverview } from '../../types';
import { ModelsModel, SERVED_WINDOW } from '../models';

type Open = (id: string) => void;

export function ModelsView(props: { models: ModelsModel; openRun: Open }): JSX.Element {
  const { models } = props;
  if (models.loaded && models.models.length === 0) {
    return (
      <div className="nbtrail-empty">
        No registered models yet: <code>nbtrail.register_model(run, name)</code> adds one.
        <ErrorBanner message={models.error} />
      </div>
    );
  }
  return (
    <div className="nbtrail-ws-models">
      <ul className="nbtrail-ws-model-list" aria-label="Registered models">
        {models.models.map(m => (
          <li key={m.name}>
            <button
              className={`nbtrail-ws-model${models.open === m.name ? ' jp-mod-selected' : ''}`}
              aria-current={models.open === m.name}
              onClick={() => void models.select(m.name)}
            >
              <span className="nbtrail-run-name">{m.name}</span>
              <span className="nbtrail-ws-hint">
                {m.versions} version{m.versions === 1 ? '' : 's'}
              </span>
              {Object.entries(m.aliases).map(([alias, v]) => (
                <span key={alias} className="nbtrail-badge">
                  {alias}: v{v}
                </span>
              ))}
            </button>
          </li>
        ))}
      </ul>
      <div className="nbtrail-ws-model-detail">
        <ErrorBanner message={models.error} />
        {models.detail && models.detail.name === models.open ? (
          <ModelDetailView models={models} openRun={props.openRun} />
        ) : (
          <div className="nbtrail-empty">Loading…</div>
        )}
      </div>
    </div>
  );
}

function ModelDetailView(props: { models: ModelsModel; openRun: Open }): JSX.Element {
  const detail = props.models.detail!;
  const aliases = Object.entries(detail.aliases);
  return (
    <>
      <h2 className="nbtrail-detail-title">{detail.name}</h2>
      <Section title="Aliases" count={aliases.length}>
        {aliases.length === 0 ? (
          <div className="nbtrail-empty">no alias points at a version</div>
        ) : (
          <table className="nbtrail-ws-table nbtrail-ws-aliases">
            <tbody>
              {aliases.map(([alias, event]) => (
                <tr key={alias} data-alias={alias}>
                  <th scope="row">{alias}</th>
                  <td>version {event.version}</td>
                  <td title={new Date(event.time * 1000).toLocaleString()}>
                    since {relativeTime(event.time)}
                  </td>
                  <td>{event.who}</td>
                  <td>{event.forced ? 'forced' : 'gates passed'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Versions" count={detail.versions.length}>
        {[...detail.versions].reverse().map(v => (
          <VersionCard key={v.version} version={v} openRun={props.openRun} models={props.models} />
        ))}
      </Section>
      <Section title="Alias history" count={props.models.history.length}>
        <History events={props.models.history} />
      </Section>
    </>
  );
}

function VersionCard(props: {
  version: ModelVersion;
  openRun: Open;
  models: ModelsModel;
}): JSX.Element {
  const v = props.version;
  const metrics = Object.entries(v.lineage.metrics ?? {}).map(([k, x]): [string, string] => [
    k,
    formatMetric(x)
  ]);
  const params = Object.entries(v.lineage.params ?? {}).map(([k, x]): [string, string] => [
    k,
    formatValue(x)
  ]);
  return (
    <article className="nbtrail-ws-version" data-version={v.version}>
      <header className="nbtrail-ws-version-head">
        <b>v{v.version}</b>
        <span className="nbtrail-ws-hint">{v.class_name}</span>
        <span className="nbtrail-ws-hint" title={new Date(v.created * 1000).toLocaleString()}>
          {relativeTime(v.created)}
        </span>
        <button
          className="nbtrail-link"
          onClick={() => props.openRun(v.run)}
          title={`Open run ${v.run}`}
        >
          run {v.lineage.run_name ?? ''} {v.run.slice(-8)}
        </button>
        <code className="nbtrail-ws-hint">{v.uri}</code>
      </header>
      {v.description && <p>{v.description}</p>}
      <div className="nbtrail-ws-version-body">
        <div>
          <h4>Metrics</h4>
          <KeyLines rows={metrics} empty="none" />
        </div>
        <div>
          <h4>Parameters</h4>
          <KeyLines rows={params} empty="none" />
        </div>
        <div>
          <h4>Training data</h4>
          {(v.lineage.training_data ?? []).length === 0 && (
            <div className="nbtrail-empty">none</div>
          )}
          {(v.lineage.training_data ?? []).map(d => (
            <div key={d.name} className="nbtrail-ws-data">
              <b>{d.name}</b> <span className="nbtrail-ws-hint">{d.kind}</span>{' '}
              <code title={d.hash ?? 'not hashed'}>{shortHash(d.hash)}</code>
              <KeyLines rows={summaryLines(d.summary)} />
            </div>
          ))}
        </div>
      </div>
      <Served models={props.models} version={v} />
    </article>
  );
}

/**
 * Traffic, drift and label metrics of a served version, asked for when opened
 * (reading an inference log is not free). Everything is rendered as text.
 */
function Served(props: { models: ModelsModel; version: ModelVersion }): JSX.Element {
  const [overview, setOverview] = React.useState<MonitoringOverview | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const load = async (): Promise<void> => {
    setBusy(true);
    try {
      setOverview(await props.models.served(props.version.name, props.version.version));
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
    setBusy(false);
  };
  return (
    <div className="nbtrail-ws-served" data-served={props.version.version}>
      <button className="jp-Button jp-mod-styled" disabled={busy} onClick={() => void load()}>
        {overview ? 'Refresh' : 'Traffic and drift'} ({SERVED_WINDOW})
      </button>
      <ErrorBanner message={error} />
      {overview && <ServedTables overview={overview} />}
    </div>
  );
}

function ServedTables(props: { overview: MonitoringOverview }): JSX.Element {
  const { traffic, drift, drift_error, labels } = props.overview;
  if (traffic.length === 0) {
    return <div className="nbtrail-empty">{drift_error ?? 'no logged requests'}</div>;
  }
  const drifted = drift?.columns.filter(c => c.drifted).map(c => `${c.name} (${c.method})`);
  return (
    <>
      <p className="nbtrail-ws-drift">
        {drift === null
          ? `drift: ${drift_error ?? 'not computed'}`
          : drifted && drifted.length > 0
            ? `drift in ${drifted.join(', ')}`
            : 'no drift against the training data'}
      </p>
      <table className="nbtrail-ws-table nbtrail-ws-traffic">
        <thead>
          <tr>
            <th>Day</th>
            <th>Requests</th>
            <th>Errors</th>
            <th>p50 ms</th>
            <th>Drift</th>
          </tr>
        </thead>
        <tbody>
          {traffic.map(d => (
            <tr key={d.day} data-day={d.day}>
              <td>{d.day}</td>
              <td>{d.requests}</td>
              <td>{d.errors}</td>
              <td>{d.p50_ms === null ? '-' : d.p50_ms.toFixed(1)}</td>
              <td>
                {d.drifted === undefined || d.drifted === null
                  ? '-'
                  : d.drifted
                    ? (d.drifted_columns ?? []).join(', ') || 'drift'
                    : 'none'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {labels.length > 0 && (
        <KeyLines
          rows={labels.map((l): [string, string] => [
            `${l.day} ${l.metric}`,
            `${formatMetric(l.value)} on ${l.rows} rows` +
              (l.training === null || l.training === undefined
                ? ''
                : ` (training ${formatMetric(l.training)})`)
          ])}
        />
      )}
    </>
  );
}

function History(props: { events: AliasEvent[] }): JSX.Element {
  if (props.events.length === 0) {
    return <div className="nbtrail-empty">no alias was ever set</div>;
  }
  return (
    <table className="nbtrail-ws-table nbtrail-ws-history">
      <thead>
        <tr>
          <th>When</th>
          <th>Alias</th>
          <th>Move</th>
          <th>Who</th>
          <th>Gates</th>
        </tr>
      </thead>
      <tbody>
        {[...props.events].reverse().map((e, i) => (
          <tr key={i}>
            <td>{new Date(e.time * 1000).toLocaleString()}</td>
            <td>{e.alias}</td>
            <td>
              {e.previous === null ? 'set to' : `v${e.previous} →`} v{e.version}
            </td>
            <td>{e.who}</td>
            <td>
              {e.forced && <span className="nbtrail-badge">forced</span>}
              {e.gates.map(g => (
                <span
                  key={g.gate}
                  className={`nbtrail-gate ${g.passed ? 'nbtrail-verdict-ok' : 'nbtrail-verdict-bad'}`}
                  title={g.detail}
                >
                  {g.passed ? '✓' : '✗'} {g.gate}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
