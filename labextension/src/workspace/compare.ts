/**
 * Compare N runs against a chosen baseline: each metric's delta and whether
 * it is better or worse, each param marked where it differs. Pure functions,
 * unit-tested; the view only lays the rows out.
 */

import { formatMetric, formatValue, latestMetrics, sortableMetric } from '../format';
import { Run } from '../types';

export type Direction = 'higher' | 'lower';
export type Mark = 'better' | 'worse' | 'same' | 'baseline' | null;

export interface CompareCell {
  text: string;
  /** "+0.02" against the baseline, null when either side has no number. */
  delta: string | null;
  mark: Mark;
}

export interface CompareRow {
  key: string;
  cells: CompareCell[];
  /** Some run's value differs from the baseline's. */
  changed: boolean;
}

const LOWER_IS_BETTER = /loss|err|mse|mae|rmse|perplexity|latency|duration|time|cost|regret/i;

/** Losses and errors go down, scores go up; the view lets the user flip a metric. */
export function guessDirection(metric: string): Direction {
  return LOWER_IS_BETTER.test(metric) ? 'lower' : 'higher';
}

/** One row per metric key any run has, with deltas against `runs[baseline]`. */
export function compareMetrics(
  runs: Run[],
  baseline: number,
  directions: Record<string, Direction> = {}
): CompareRow[] {
  const latest = runs.map(run => latestMetrics(run));
  const keys = [...new Set(latest.flatMap(m => [...m.keys()]))].sort();
  return keys.map(key => {
    const direction = directions[key] ?? guessDirection(key);
    const base = sortableMetric(latest[baseline]?.get(key));
    const cells = latest.map((metrics, i): CompareCell => {
      const raw = metrics.get(key);
      const text = raw === undefined ? '–' : formatMetric(raw);
      if (i === baseline) {
        return { text, delta: null, mark: 'baseline' };
      }
      const value = sortableMetric(raw);
      if (value === undefined || base === undefined) {
        return { text, delta: null, mark: null };
      }
      return { text, delta: formatDelta(value - base), mark: judge(value - base, direction) };
    });
    const changed = cells.some(c => c.mark === 'better' || c.mark === 'worse');
    return { key, cells, changed };
  });
}

/** One row per param key any run has; changed where a value differs from the baseline's. */
export function compareParams(runs: Run[], baseline: number): CompareRow[] {
  const values = runs.map(run => new Map(run.params.map(p => [p.key, formatValue(p.value)])));
  const keys = [...new Set(values.flatMap(m => [...m.keys()]))].sort();
  return keys.map(key => {
    const base = values[baseline]?.get(key);
    const cells = values.map((v, i): CompareCell => {
      const text = v.get(key) ?? '–';
      const mark: Mark = i === baseline ? 'baseline' : v.get(key) === base ? 'same' : null;
      return { text, delta: null, mark };
    });
    return { key, cells, changed: cells.some(c => c.mark === null) };
  });
}

function judge(delta: number, direction: Direction): Mark {
  if (delta === 0 || Number.isNaN(delta)) {
    return 'same';
  }
  return delta > 0 === (direction === 'higher') ? 'better' : 'worse';
}

/** A signed difference: "+0.02", "−1.5e-4", "±0". */
export function formatDelta(delta: number): string {
  if (delta === 0) {
    return '±0';
  }
  const text = formatMetric(Math.abs(delta));
  return `${delta > 0 ? '+' : '−'}${text}`;
}
