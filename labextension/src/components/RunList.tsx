/** The list view: scope toggle, filter box, sort menu and the runs themselves. */

import * as React from 'react';

import { formatDuration, formatMetric, latestMetrics, relativeTime } from '../format';
import { RunsModel, Scope, SortKey } from '../model';
import { Run } from '../types';
import { ErrorBanner, StatusIcon, useNow } from './common';

const KEY_METRICS = 3;
const FILTER_DELAY_MS = 250;

export function RunList(props: { model: RunsModel; openWorkspace: () => void }): JSX.Element {
  const { model } = props;
  const runs = model.visibleRuns;
  const now = useNow();
  return (
    <div className="nbtrail-list-view">
      <Toolbar model={model} openWorkspace={props.openWorkspace} />
      <ErrorBanner message={model.error} />
      {model.needsNotebook ? (
        <div className="nbtrail-empty">Open a notebook to see its runs, or show all notebooks.</div>
      ) : runs.length + model.running.length === 0 && !model.loading && model.filter.trim() ? (
        <div className="nbtrail-empty">No run matches this filter.</div>
      ) : runs.length + model.running.length === 0 && !model.loading ? (
        <div className="nbtrail-empty">
          No runs yet. Add <code>%load_ext nbtrail</code>, then <code>%%track</code> on a cell.
        </div>
      ) : (
        <ul className="nbtrail-runs" aria-label="Runs">
          {model.running.map(run => (
            <RunningItem key={`running-${run.id}`} run={run} now={Date.now()} />
          ))}
          {runs.map(run => (
            <RunItem
              key={run.id}
              run={run}
              now={now}
              selected={model.selected.includes(run.id)}
              onOpen={() => void model.openDetail(run.id)}
              onToggle={() => model.toggleSelected(run.id)}
            />
          ))}
        </ul>
      )}
      {model.next !== null && (
        <button
          className="jp-mod-styled nbtrail-more"
          disabled={model.loading}
          onClick={() => void model.loadMore()}
        >
          Load more
        </button>
      )}
    </div>
  );
}

/** A cell executing now: its name, for how long, the metrics it logged so far. */
function RunningItem(props: { run: Run; now: number }): JSX.Element {
  const { run } = props;
  const metrics = [...latestMetrics(run)].slice(0, KEY_METRICS);
  return (
    <li className="nbtrail-run nbtrail-run-running" data-run-id={run.id}>
      <span className="nbtrail-run-open">
        <span className="nbtrail-run-line">
          <StatusIcon status="running" />
          <span className="nbtrail-run-name">{run.name}</span>
          <span className="nbtrail-run-time">
            running {formatDuration(Math.max(0, props.now / 1000 - run.started))}
          </span>
        </span>
        {metrics.length > 0 && (
          <span className="nbtrail-run-line nbtrail-run-meta">
            {metrics.map(([key, value]) => (
              <span key={key} className="nbtrail-metric-chip">
                {key} <b>{formatMetric(value)}</b>
              </span>
            ))}
          </span>
        )}
      </span>
    </li>
  );
}

function Toolbar(props: { model: RunsModel; openWorkspace: () => void }): JSX.Element {
  const { model } = props;
  const n = model.selected.length;
  const [text, setText] = React.useState(model.filter);
  React.useEffect(() => {
    const timer = window.setTimeout(() => void model.setFilter(text), FILTER_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [text]);
  const scopes: Array<[Scope, string]> = [
    ['notebook', 'This notebook'],
    ['all', 'All notebooks']
  ];
  return (
    <div className="nbtrail-toolbar">
      <div className="nbtrail-scope" role="group" aria-label="Scope">
        {scopes.map(([scope, label]) => (
          <button
            key={scope}
            className={`jp-mod-styled nbtrail-scope-button${model.scope === scope ? ' jp-mod-active' : ''}`}
            aria-pressed={model.scope === scope}
            onClick={() => void model.setScope(scope)}
          >
            {label}
          </button>
        ))}
      </div>
      <input
        className="jp-mod-styled nbtrail-filter"
        type="search"
        placeholder="Filter: metrics.acc > 0.9"
        title="The filter language: params.lr = '0.05' AND metrics.accuracy > 0.9, tags.stage = 'candidate', name LIKE 'forest%', or free text"
        aria-label="Filter runs"
        value={text}
        onChange={event => setText(event.target.value)}
      />
      <div className="nbtrail-toolbar-row">
        <label className="nbtrail-sort">
          Sort
          <select
            className="jp-mod-styled"
            value={sortValue(model)}
            onChange={event => void setSortValue(model, event.target.value)}
          >
            <option value="time">newest first</option>
            {model.metricKeys.map(key => (
              <React.Fragment key={key}>
                <option value={`desc:metrics.${key}`}>{key} (highest)</option>
                <option value={`asc:metrics.${key}`}>{key} (lowest)</option>
              </React.Fragment>
            ))}
          </select>
        </label>
        <button
          className="jp-mod-styled jp-mod-accept nbtrail-compare-button"
          disabled={n < 2}
          title={
            n > 2
              ? `Compare these ${n} runs in the runs workspace`
              : 'Tick two runs to compare them here, more to compare them in the workspace'
          }
          onClick={() => void model.openCompare()}
        >
          Compare {n}
        </button>
      </div>
      <button className="jp-mod-styled nbtrail-open-workspace" onClick={props.openWorkspace}>
        Open runs workspace
      </button>
    </div>
  );
}

/** The sort menu's value: `time`, or `desc:metric:<key>` / `asc:metric:<key>`. */
function sortValue(model: RunsModel): string {
  return model.sort === 'time' ? 'time' : `${model.descending ? 'desc' : 'asc'}:${model.sort}`;
}

function setSortValue(model: RunsModel, value: string): Promise<void> {
  if (value === 'time') {
    return model.setSort('time');
  }
  const order = value.slice(0, value.indexOf(':'));
  return model.setSort(value.slice(order.length + 1) as SortKey, order === 'desc');
}

function RunItem(props: {
  run: Run;
  now: number;
  selected: boolean;
  onOpen: () => void;
  onToggle: () => void;
}): JSX.Element {
  const { run } = props;
  const metrics = [...latestMetrics(run)].slice(0, KEY_METRICS);
  const started = new Date(run.started * 1000).toLocaleString();
  return (
    <li className={`nbtrail-run${props.selected ? ' jp-mod-selected' : ''}`} data-run-id={run.id}>
      <input
        type="checkbox"
        className="nbtrail-select"
        checked={props.selected}
        aria-label={`Select ${run.name} for comparison`}
        onChange={props.onToggle}
      />
      <button className="nbtrail-run-open" onClick={props.onOpen} title={`Open run ${run.id}`}>
        <span className="nbtrail-run-line">
          <StatusIcon status={run.status} />
          <span className="nbtrail-run-name">{run.name}</span>
          <span className="nbtrail-run-time" title={started}>
            {relativeTime(run.started, props.now)}
          </span>
        </span>
        <span className="nbtrail-run-line nbtrail-run-meta">
          <span className="nbtrail-run-duration">{formatDuration(run.duration)}</span>
          {metrics.map(([key, value]) => (
            <span key={key} className="nbtrail-metric-chip">
              {key} <b>{formatMetric(value)}</b>
            </span>
          ))}
        </span>
        {Object.keys(run.tags ?? {}).length > 0 && (
          <span className="nbtrail-run-line nbtrail-run-meta">
            {Object.entries(run.tags).map(([key, value]) => (
              <span key={key} className="nbtrail-tag">
                {value ? `${key}=${value}` : key}
              </span>
            ))}
          </span>
        )}
        {run.note && <span className="nbtrail-run-note">{run.note.split('\n')[0]}</span>}
      </button>
    </li>
  );
}
