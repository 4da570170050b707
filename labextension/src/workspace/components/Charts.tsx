/**
 * Charts of the selected runs (or, with none ticked, of the table's page):
 * a metric by step overlaid, parallel coordinates of the params that vary
 * and a metric, and one param against a metric. Vega-Lite draws them.
 */

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { Run } from '../../types';
import {
  metricKeys,
  paramKeys,
  parallelChart,
  scatterChart,
  stepChart,
  varyingParams
} from '../charts';
import { WorkspaceModel } from '../model';
import { VegaChart } from './VegaChart';

const MAX_AXES = 8;

export function ChartsView(props: {
  model: WorkspaceModel;
  rendermime: IRenderMimeRegistry | null;
}): JSX.Element {
  const { model, rendermime } = props;
  const useSelection = model.selected.length > 0;
  const runs = useSelection ? model.selection : model.runs;
  const metrics = metricKeys(runs);
  const params = paramKeys(runs);
  return (
    <div className="nbtrail-ws-charts">
      <p className="nbtrail-ws-hint" role="status">
        {useSelection
          ? `${runs.length} selected run${runs.length === 1 ? '' : 's'}.`
          : `The ${runs.length} runs of the table's page; tick runs to chart a selection.`}
      </p>
      {metrics.length === 0 ? (
        <div className="nbtrail-empty">These runs logged no metrics.</div>
      ) : (
        <>
          <StepCard runs={runs} metrics={metrics} rendermime={rendermime} />
          <ParallelCard
            runs={runs}
            metrics={metrics}
            params={varyingParams(runs, params)}
            rendermime={rendermime}
          />
          <ScatterCard runs={runs} metrics={metrics} params={params} rendermime={rendermime} />
        </>
      )}
    </div>
  );
}

interface CardProps {
  runs: Run[];
  metrics: string[];
  params: string[];
  rendermime: IRenderMimeRegistry | null;
}

/** A chosen key that is still among the options, else the first option. */
function useChoice(options: string[], preferred?: string): [string, (key: string) => void] {
  const [chosen, setChosen] = React.useState<string | null>(null);
  const value =
    chosen !== null && options.includes(chosen) ? chosen : (preferred ?? options[0] ?? '');
  return [value, setChosen];
}

function KeySelect(props: {
  label: string;
  value: string;
  options: string[];
  onChange: (v: string) => void;
}): JSX.Element {
  return (
    <label className="nbtrail-ws-field">
      {props.label}
      <HTMLSelect
        aria-label={props.label}
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
        options={props.options.map(k => ({ value: k, label: k }))}
      />
    </label>
  );
}

function StepCard(props: Omit<CardProps, 'params'>): JSX.Element {
  const stepped = props.metrics.find(k =>
    props.runs.some(r => r.metrics.filter(m => m.key === k).length > 1)
  );
  const [metric, setMetric] = useChoice(props.metrics, stepped);
  return (
    <section className="nbtrail-ws-card" data-chart="steps">
      <h3 className="nbtrail-section-title">Metric by step</h3>
      <KeySelect label="Metric" value={metric} options={props.metrics} onChange={setMetric} />
      <VegaChart
        spec={stepChart(props.runs, metric)}
        rendermime={props.rendermime}
        label={`${metric} by step`}
      />
    </section>
  );
}

function ParallelCard(props: CardProps): JSX.Element {
  const [metric, setMetric] = useChoice(props.metrics);
  const axes = props.params.slice(0, MAX_AXES);
  return (
    <section className="nbtrail-ws-card" data-chart="parallel">
      <h3 className="nbtrail-section-title">Parallel coordinates</h3>
      <KeySelect label="Metric" value={metric} options={props.metrics} onChange={setMetric} />
      {axes.length === 0 ? (
        <div className="nbtrail-empty">No parameter varies among these runs (a sweep's do).</div>
      ) : (
        <VegaChart
          spec={parallelChart(props.runs, axes, metric)}
          rendermime={props.rendermime}
          label={`parallel coordinates of ${axes.join(', ')} and ${metric}`}
        />
      )}
    </section>
  );
}

function ScatterCard(props: CardProps): JSX.Element {
  const [metric, setMetric] = useChoice(props.metrics);
  const [param, setParam] = useChoice(props.params);
  return (
    <section className="nbtrail-ws-card" data-chart="scatter">
      <h3 className="nbtrail-section-title">Parameter against metric</h3>
      {props.params.length === 0 ? (
        <div className="nbtrail-empty">These runs have no parameters.</div>
      ) : (
        <>
          <KeySelect label="Parameter" value={param} options={props.params} onChange={setParam} />
          <KeySelect label="Metric" value={metric} options={props.metrics} onChange={setMetric} />
          <VegaChart
            spec={scatterChart(props.runs, param, metric)}
            rendermime={props.rendermime}
            label={`${metric} against ${param}`}
          />
        </>
      )}
    </section>
  );
}
