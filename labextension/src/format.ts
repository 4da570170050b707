/**
 * Pure formatting helpers shared by the views (and unit-tested without a DOM).
 */

import { JsonValue, MetricValue, Run } from './types';

/** "just now", "5 min ago", ... from epoch seconds, relative to `nowMs`. */
export function relativeTime(epochSeconds: number, nowMs: number = Date.now()): string {
  const seconds = Math.max(0, nowMs / 1000 - epochSeconds);
  if (seconds < 5) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${Math.floor(seconds)} s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  if (seconds < 86400) {
    return `${Math.floor(seconds / 3600)} h ago`;
  }
  if (seconds < 30 * 86400) {
    return `${Math.floor(seconds / 86400)} d ago`;
  }
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/** A short human duration: "0.12 s", "3.4 s", "2 min 5 s", "1 h 3 min". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) {
    return '–';
  }
  if (seconds < 10) {
    return `${seconds.toFixed(seconds < 1 ? 2 : 1)} s`;
  }
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  }
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** Metric values with four significant digits; NaN/Infinity arrive as strings. */
export function formatMetric(value: MetricValue): string {
  if (value === null) {
    return 'NaN';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) {
    return value.toExponential(3);
  }
  return String(Number(value.toPrecision(4)));
}

/** Any recorded JSON value as one line of text (never HTML). */
export function formatValue(value: JsonValue | undefined): string {
  if (value === undefined) {
    return '–';
  }
  if (typeof value === 'number') {
    return formatMetric(value);
  }
  if (typeof value === 'string') {
    return value;
  }
  return JSON.stringify(value);
}

/** The first 8 hex digits of a content hash, as the CLI shows them. */
export function shortHash(hash: string | null): string {
  return hash ? hash.slice(0, 8) : '–';
}

/** The last logged value of each metric key (same rule as `Run.latest_metrics`). */
export function latestMetrics(run: Run): Map<string, MetricValue> {
  const latest = new Map<string, { step: number; time: number; value: MetricValue }>();
  for (const m of run.metrics) {
    const prev = latest.get(m.key);
    const step = m.step ?? 0;
    if (!prev || step > prev.step || (step === prev.step && m.time >= prev.time)) {
      latest.set(m.key, { step, time: m.time, value: m.value });
    }
  }
  return new Map([...latest].map(([k, v]) => [k, v.value]));
}

/** A metric value as a number for sorting: NaN and missing sort last. */
export function sortableMetric(value: MetricValue | undefined): number | undefined {
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'Infinity') {
    return Infinity;
  }
  if (value === '-Infinity') {
    return -Infinity;
  }
  return undefined;
}

/** Longest value text on one summary line (the whole text is the line's tooltip). */
const MAX_LINE = 80;

/**
 * A binding's summary as key/value lines: shapes as `3 × 2`, columns by name,
 * an estimator's params as `k=v`, never raw JSON. The sidebar shows these
 * at 250 px without wrapping a word.
 */
export function summaryLines(summary: { [key: string]: JsonValue }): Array<[string, string]> {
  return Object.entries(summary).map(([key, value]) => [key, clip(summaryValue(key, value))]);
}

function summaryValue(key: string, value: JsonValue): string {
  if (value === null) {
    return '–';
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  if (Array.isArray(value)) {
    if (key === 'shape' || key === 'size_inches') {
      return value.map(v => formatValue(v)).join(' × ');
    }
    return value.map(v => itemText(v)).join(', ') || '–';
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.map(([k, v]) => `${k}=${itemText(v)}`).join(', ') || '–';
  }
  return formatValue(value);
}

/** An item of a list or mapping: a named thing by its name, a nested structure briefly. */
function itemText(value: JsonValue): string {
  if (value === null) {
    return '–';
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const name = value['name'];
    return name !== undefined ? formatValue(name) : `{${Object.keys(value).length} keys}`;
  }
  if (Array.isArray(value)) {
    return `[${value.length}]`;
  }
  return formatValue(value);
}

function clip(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text;
}
