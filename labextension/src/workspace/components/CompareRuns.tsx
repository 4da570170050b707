/**
 * Compare N runs: one column per run, a chosen baseline, each metric's delta
 * with a better/worse mark (in words and arrows, not colour alone), params
 * that differ highlighted, and the runs' figures side by side.
 */

import * as React from 'react';

import { ErrorBanner, StatusIcon } from '../../components/common';
import { Thumbnail } from '../../components/RunDetail';
import { Run } from '../../types';
import { CompareRow, compareMetrics, compareParams, guessDirection } from '../compare';
import { WorkspaceModel } from '../model';
import { WorkspaceActions } from '../widget';

const MARK_TEXT = { better: '▲ better', worse: '▼ worse', same: '= same' } as const;

export function CompareRuns(props: {
  model: WorkspaceModel;
  actions: WorkspaceActions;
}): JSX.Element {
  const { model, actions } = props;
  const runs = model.selection;
  if (model.selected.length < 2) {
    return <div className="nbtrail-empty">Tick two or more runs in the table to compare them.</div>;
  }
  if (runs.length < model.selected.length) {
    return <div className="nbtrail-empty">Loading…</div>;
  }
  const baseline = model.baselineIndex;
  const metrics = compareMetrics(runs, baseline, model.directions);
  const params = compareParams(runs, baseline);
  return (
    <div className="nbtrail-ws-compare">
      <ErrorBanner message={model.error} />
      <div className="nbtrail-ws-scroll">
        <table className="nbtrail-ws-table nbtrail-ws-compare-table">
          <thead>
            <tr>
              <th />
              {runs.map((run, i) => (
                <RunHead
                  key={run.id}
                  run={run}
                  baseline={i === baseline}
                  model={model}
                  openRun={actions.openRun}
                />
              ))}
            </tr>
          </thead>
          <Rows title="Metrics" rows={metrics} model={model} metric />
          <Rows title="Parameters" rows={params} model={model} />
          <Figures runs={runs} load={actions.loadObject} />
        </table>
      </div>
    </div>
  );
}

function RunHead(props: {
  run: Run;
  baseline: boolean;
  model: WorkspaceModel;
  openRun: (id: string) => void;
}): JSX.Element {
  const { run } = props;
  return (
    <th className={props.baseline ? 'nbtrail-ws-baseline' : undefined} data-run-id={run.id}>
      <StatusIcon status={run.status} />{' '}
      <button className="nbtrail-link" onClick={() => props.openRun(run.id)}>
        {run.name}
      </button>
      <div className="nbtrail-ws-id">{run.id.slice(-8)}</div>
      {props.baseline ? (
        <span className="nbtrail-badge">baseline</span>
      ) : (
        <button
          className="jp-mod-styled nbtrail-ws-make-baseline"
          onClick={() => props.model.setBaseline(run.id)}
        >
          Use as baseline
        </button>
      )}
    </th>
  );
}

function Rows(props: {
  title: string;
  rows: CompareRow[];
  model: WorkspaceModel;
  metric?: boolean;
}): JSX.Element {
  const { model } = props;
  const span = model.selection.length + 1;
  return (
    <tbody>
      <tr className="nbtrail-group">
        <th colSpan={span}>{props.title}</th>
      </tr>
      {props.rows.length === 0 && (
        <tr>
          <td colSpan={span} className="nbtrail-empty">
            none
          </td>
        </tr>
      )}
      {props.rows.map(row => (
        <tr
          key={row.key}
          className={row.changed ? 'nbtrail-changed' : undefined}
          data-key={row.key}
        >
          <th scope="row">
            {row.key}
            {props.metric && <DirectionToggle metric={row.key} model={model} />}
          </th>
          {row.cells.map((cell, i) => (
            <td key={i} className={cell.mark ? `nbtrail-mark-${cell.mark}` : undefined}>
              <span className="nbtrail-ws-value">{cell.text}</span>
              {cell.delta !== null && <span className="nbtrail-ws-delta"> {cell.delta}</span>}
              {(cell.mark === 'better' ||
                cell.mark === 'worse' ||
                (cell.mark === 'same' && props.metric)) && (
                <span className="nbtrail-ws-mark"> {MARK_TEXT[cell.mark]}</span>
              )}
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}

function DirectionToggle(props: { metric: string; model: WorkspaceModel }): JSX.Element {
  const direction = props.model.directions[props.metric] ?? guessDirection(props.metric);
  return (
    <button
      className="nbtrail-ws-direction"
      title="Which way is better for this metric (click to flip)"
      onClick={() => props.model.flipDirection(props.metric)}
    >
      {direction === 'higher' ? 'higher is better' : 'lower is better'}
    </button>
  );
}

function Figures(props: {
  runs: Run[];
  load: (hash: string, run: string) => Promise<Blob>;
}): JSX.Element | null {
  const figures = props.runs.map(run =>
    run.artifacts.filter(a => a.media_type.startsWith('image/'))
  );
  if (figures.every(f => f.length === 0)) {
    return null;
  }
  return (
    <tbody>
      <tr className="nbtrail-group">
        <th colSpan={props.runs.length + 1}>Figures</th>
      </tr>
      <tr>
        <th scope="row" />
        {props.runs.map((run, i) => (
          <td key={run.id} className="nbtrail-ws-figures">
            {figures[i].map(a => (
              <Thumbnail key={a.hash} artifact={a} run={run.id} load={props.load} />
            ))}
          </td>
        ))}
      </tr>
    </tbody>
  );
}
