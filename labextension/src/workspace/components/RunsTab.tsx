/** The runs table's tab: filter, grouping, columns, the running cells, the table, the pager. */

import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ErrorBanner, StatusIcon } from '../../components/common';
import { formatMetric, latestMetrics } from '../../format';
import { GroupBy, Lifecycle } from '../../types';
import { PAGE_SIZES, WorkspaceModel } from '../model';
import { ColumnChooser } from './ColumnChooser';
import { GroupedTable, RunsTable } from './RunsTable';

const FILTER_DELAY_MS = 300;
const EXAMPLE = "metrics.accuracy > 0.9 AND params.lr = '0.05'";

export function RunsTab(props: {
  model: WorkspaceModel;
  openRun: (id: string) => void;
}): JSX.Element {
  const { model, openRun } = props;
  const [choosing, setChoosing] = React.useState(false);
  return (
    <div className="nbtrail-ws-runs">
      <div className="nbtrail-ws-toolbar">
        <FilterBox model={model} />
        <label className="nbtrail-ws-field">
          Group by
          <HTMLSelect
            aria-label="Group by"
            value={model.groupBy ?? ''}
            onChange={e => void model.setGroupBy((e.target.value || null) as GroupBy | null)}
            options={[
              { value: '', label: 'nothing' },
              { value: 'batch', label: 'batch / sweep' },
              { value: 'notebook', label: 'notebook' },
              { value: 'name', label: 'name' }
            ]}
          />
        </label>
        <label className="nbtrail-ws-field">
          Show
          <HTMLSelect
            aria-label="Lifecycle"
            value={model.lifecycle}
            onChange={e => void model.setLifecycle(e.target.value as Lifecycle | 'all')}
            options={[
              { value: 'active', label: 'active' },
              { value: 'archived', label: 'archived' },
              { value: 'all', label: 'all' }
            ]}
          />
        </label>
        <button
          className="jp-mod-styled nbtrail-ws-columns-button"
          aria-expanded={choosing}
          onClick={() => setChoosing(!choosing)}
        >
          Columns ({model.visibleColumns.length})
        </button>
        <Selection model={model} />
      </div>
      {model.filterError && (
        <div className="nbtrail-error nbtrail-filter-error" role="alert">
          {model.filterError}
        </div>
      )}
      <ErrorBanner message={model.error} />
      {choosing && <ColumnChooser model={model} onClose={() => setChoosing(false)} />}
      <RunningNow model={model} openRun={openRun} />
      {model.groupBy ? (
        <GroupedTable model={model} openRun={openRun} />
      ) : (
        <>
          <RunsTable model={model} runs={model.runs} openRun={openRun} />
          <Pager model={model} />
        </>
      )}
    </div>
  );
}

function FilterBox(props: { model: WorkspaceModel }): JSX.Element {
  const { model } = props;
  const [text, setText] = React.useState(model.filter);
  React.useEffect(() => setText(model.filter), [model.filter]);
  React.useEffect(() => {
    const timer = window.setTimeout(() => void model.setFilter(text), FILTER_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [text]);
  return (
    <input
      className="jp-mod-styled nbtrail-filter nbtrail-ws-filter"
      type="search"
      placeholder={`Filter: ${EXAMPLE}`}
      title={`The filter language: ${EXAMPLE}, tags.stage = 'candidate', name LIKE 'forest%', or free text`}
      aria-label="Filter runs"
      aria-invalid={model.filterError !== null}
      value={text}
      onChange={e => setText(e.target.value)}
      onKeyDown={e => e.key === 'Enter' && void model.setFilter(text)}
    />
  );
}

function Selection(props: { model: WorkspaceModel }): JSX.Element | null {
  const { model } = props;
  const n = model.selected.length;
  if (n === 0) {
    return <span className="nbtrail-ws-hint">Tick runs to chart or compare them</span>;
  }
  return (
    <span className="nbtrail-ws-selection">
      <span>{n} selected</span>
      <button className="jp-mod-styled" onClick={() => void model.setTab('charts')}>
        Chart
      </button>
      <button
        className="jp-mod-styled jp-mod-accept"
        disabled={n < 2}
        onClick={() => void model.setTab('compare')}
      >
        Compare {n}
      </button>
      <button className="jp-mod-styled" onClick={() => model.clearSelection()}>
        Clear
      </button>
    </span>
  );
}

/** Cells executing now, with their latest step metrics (the poll refreshes them). */
function RunningNow(props: {
  model: WorkspaceModel;
  openRun: (id: string) => void;
}): JSX.Element | null {
  const running = props.model.running;
  if (running.length === 0) {
    return null;
  }
  return (
    <div className="nbtrail-ws-running" aria-label="Running now">
      {running.map(run => (
        <div key={run.id} className="nbtrail-ws-running-run">
          <StatusIcon status="running" />
          <span className="nbtrail-run-name">{run.name}</span>
          <span className="nbtrail-ws-hint">running</span>
          {[...latestMetrics(run)].map(([key, value]) => {
            const steps = run.metrics.filter(m => m.key === key).length;
            return (
              <span key={key} className="nbtrail-metric-chip">
                {key} <b>{formatMetric(value)}</b>
                {steps > 1 && ` (step ${steps})`}
              </span>
            );
          })}
        </div>
      ))}
    </div>
  );
}

function Pager(props: { model: WorkspaceModel }): JSX.Element {
  const { model } = props;
  const first = model.total === 0 ? 0 : model.offset + 1;
  const last = Math.min(model.offset + model.runs.length, model.total);
  const page = model.page;
  const atEnd = page >= model.pageCount - 1;
  return (
    <div className="nbtrail-ws-pager" aria-label="Pages">
      <span className="nbtrail-ws-range" role="status">
        {first.toLocaleString()}–{last.toLocaleString()} of {model.total.toLocaleString()}
      </span>
      <button
        className="jp-mod-styled"
        disabled={page === 0}
        onClick={() => void model.goToPage(0)}
      >
        First
      </button>
      <button
        className="jp-mod-styled"
        disabled={page === 0}
        onClick={() => void model.goToPage(page - 1)}
      >
        Previous
      </button>
      <span>
        page {(page + 1).toLocaleString()} of {model.pageCount.toLocaleString()}
      </span>
      <button
        className="jp-mod-styled"
        disabled={atEnd}
        onClick={() => void model.goToPage(page + 1)}
      >
        Next
      </button>
      <button
        className="jp-mod-styled"
        disabled={atEnd}
        onClick={() => void model.goToPage(model.pageCount - 1)}
      >
        Last
      </button>
      <HTMLSelect
        aria-label="Runs per page"
        value={model.pageSize}
        onChange={e => void model.setPageSize(Number(e.target.value))}
        options={PAGE_SIZES.map(n => ({ value: n, label: `${n} per page` }))}
      />
    </div>
  );
}
