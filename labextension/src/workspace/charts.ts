/**
 * Vega-Lite specs for the selected runs, drawn by JupyterLab's own Vega
 * renderer (`@jupyterlab/vega5-extension`): metric by step overlaid,
 * parallel coordinates of a sweep's params and a metric, a param against a
 * metric. Only data preparation here; Vega-Lite draws.
 */

import { formatValue, latestMetrics, sortableMetric } from '../format';
import { JsonValue, Run } from '../types';

export type Spec = { [key: string]: JsonValue };

/** Vega-Lite 5: the version JupyterLab 4's renderer registers. */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const WIDTH = 560;
const HEIGHT = 260;

/** How a run is named in legends: its name and the last digits of its id. */
export function runLabel(run: Run): string {
  return `${run.name} ·${run.id.slice(-6)}`;
}

/** Metric keys any of the runs logged (for the chart menus). */
export function metricKeys(runs: Run[]): string[] {
  return [...new Set(runs.flatMap(r => r.metrics.map(m => m.key)))].sort();
}

export function paramKeys(runs: Run[]): string[] {
  return [...new Set(runs.flatMap(r => r.params.map(p => p.key)))].sort();
}

/** Params whose value is not the same in every run: the axes worth drawing. */
export function varyingParams(runs: Run[], params: string[]): string[] {
  return params.filter(key => {
    const values = new Set(runs.map(r => formatValue(r.params.find(p => p.key === key)?.value)));
    return values.size > 1;
  });
}

/** Every logged value of `metric` by step, one line per run. */
export function stepChart(runs: Run[], metric: string): Spec {
  const values: JsonValue[] = [];
  for (const run of runs) {
    const points = run.metrics.filter(m => m.key === metric);
    points.forEach((m, i) => {
      const value = sortableMetric(m.value);
      if (value !== undefined && Number.isFinite(value)) {
        values.push({ run: runLabel(run), step: m.step ?? i, value });
      }
    });
  }
  return {
    $schema: SCHEMA,
    description: `${metric} by step`,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { field: 'run', type: 'nominal', title: 'run' }
    }
  };
}

/** A param's values on a 0..1 axis: numbers by value, anything else by sorted rank. */
export function normalize(values: Array<JsonValue | undefined>): Array<number | null> {
  const numbers = values.map(v => (typeof v === 'number' ? v : null));
  const numeric = values.every(v => v === undefined || typeof v === 'number');
  if (numeric) {
    const present = numbers.filter((v): v is number => v !== null);
    const [low, high] = [Math.min(...present), Math.max(...present)];
    return numbers.map(v => (v === null ? null : high === low ? 0.5 : (v - low) / (high - low)));
  }
  const texts = values.map(v => (v === undefined ? null : JSON.stringify(v)));
  const distinct = [...new Set(texts.filter((t): t is string => t !== null))].sort();
  const last = Math.max(1, distinct.length - 1);
  return texts.map(t =>
    t === null ? null : distinct.length === 1 ? 0.5 : distinct.indexOf(t) / last
  );
}

/** One polyline per run across its params and the metric, coloured by the metric. */
export function parallelChart(runs: Run[], params: string[], metric: string): Spec {
  const axes = [...params, metric];
  const metricOf = (run: Run) => sortableMetric(latestMetrics(run).get(metric));
  const raw = (run: Run, axis: string): JsonValue | undefined =>
    axis === metric ? metricOf(run) : run.params.find(p => p.key === axis)?.value;
  const values: JsonValue[] = [];
  for (const axis of axes) {
    const scaled = normalize(runs.map(run => raw(run, axis)));
    runs.forEach((run, i) => {
      const score = metricOf(run);
      if (scaled[i] !== null && score !== undefined && Number.isFinite(score)) {
        const shown = raw(run, axis);
        values.push({
          run: runLabel(run),
          axis,
          position: scaled[i],
          value: typeof shown === 'string' ? shown : JSON.stringify(shown),
          metric: score
        });
      }
    });
  }
  const x = { field: 'axis', type: 'nominal', sort: axes, title: null, axis: { labelAngle: 0 } };
  return {
    $schema: SCHEMA,
    description: `parallel coordinates: ${axes.join(', ')}`,
    width: Math.max(WIDTH, axes.length * 110),
    height: HEIGHT,
    config: { view: { stroke: null } },
    data: { values },
    layer: [
      { mark: { type: 'rule', opacity: 0.4 }, encoding: { x, detail: { aggregate: 'count' } } },
      {
        mark: { type: 'line', opacity: 0.8 },
        encoding: {
          x,
          y: { field: 'position', type: 'quantitative', axis: null },
          detail: { field: 'run', type: 'nominal' },
          color: { field: 'metric', type: 'quantitative', title: metric }
        }
      },
      {
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x,
          y: { field: 'position', type: 'quantitative', axis: null },
          color: { field: 'metric', type: 'quantitative', title: metric },
          tooltip: [
            { field: 'run', type: 'nominal' },
            { field: 'axis', type: 'nominal' },
            { field: 'value', type: 'nominal' }
          ]
        }
      }
    ]
  };
}

/** Each run as a point: a param (numeric or categorical) against a metric. */
export function scatterChart(runs: Run[], param: string, metric: string): Spec {
  const values: JsonValue[] = [];
  let numeric = true;
  for (const run of runs) {
    const x = run.params.find(p => p.key === param)?.value;
    const y = sortableMetric(latestMetrics(run).get(metric));
    if (x === undefined || y === undefined || !Number.isFinite(y)) {
      continue;
    }
    numeric = numeric && typeof x === 'number';
    values.push({ run: runLabel(run), x: typeof x === 'number' ? x : JSON.stringify(x), y });
  }
  return {
    $schema: SCHEMA,
    description: `${metric} against ${param}`,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'point', filled: true, size: 70, tooltip: true },
    encoding: {
      x: { field: 'x', type: numeric ? 'quantitative' : 'nominal', title: param },
      y: { field: 'y', type: 'quantitative', title: metric, scale: { zero: false } },
      color: { field: 'run', type: 'nominal', title: 'run', legend: null }
    }
  };
}
