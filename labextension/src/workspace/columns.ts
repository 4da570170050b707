/**
 * The runs table's columns: fixed attributes plus a column per param, metric
 * and tag key. A column id is the very key the server sorts by
 * (`metrics.acc`, `params.lr`, `tags.stage`, `attributes.name`), so a header
 * click sends it as is.
 */

import { formatDuration, formatMetric, formatValue, latestMetrics } from '../format';
import { ColumnKeys, Run } from '../types';

export type ColumnKind = 'attribute' | 'param' | 'metric' | 'tag';

export interface Column {
  id: string;
  kind: ColumnKind;
  key: string;
  label: string;
  /** Whether the server can sort by it (tags: not in the sort contract). */
  sortable: boolean;
}

/** Attributes always shown, in order; the name column also carries status and id. */
export const ATTRIBUTE_COLUMNS: Column[] = [
  attribute('name', 'Run'),
  attribute('started', 'Started'),
  attribute('duration', 'Duration'),
  attribute('notebook', 'Notebook')
];

/** How many param and metric columns show before the user chooses. */
const DEFAULT_PER_KIND = 6;

const PREFIX: Record<Exclude<ColumnKind, 'attribute'>, string> = {
  param: 'params',
  metric: 'metrics',
  tag: 'tags'
};

function attribute(key: string, label: string): Column {
  return { id: `attributes.${key}`, kind: 'attribute', key, label, sortable: true };
}

export function column(kind: Exclude<ColumnKind, 'attribute'>, key: string): Column {
  return { id: `${PREFIX[kind]}.${key}`, kind, key, label: key, sortable: kind !== 'tag' };
}

/** Every key column the server knows for the current filter: metrics, params, tags. */
export function keyColumns(keys: ColumnKeys): Column[] {
  return [
    ...keys.metrics.map(k => column('metric', k)),
    ...keys.params.map(k => column('param', k)),
    ...keys.tags.map(k => column('tag', k))
  ];
}

/** The first few metrics and params: what shows until the user picks columns. */
export function defaultVisible(keys: ColumnKeys): string[] {
  return [
    ...keys.metrics.slice(0, DEFAULT_PER_KIND).map(k => column('metric', k).id),
    ...keys.params.slice(0, DEFAULT_PER_KIND).map(k => column('param', k).id)
  ];
}

/** Parse a column id back (for ids kept from before the keys loaded). */
export function parseColumn(id: string): Column | null {
  const dot = id.indexOf('.');
  const prefix = id.slice(0, dot);
  const key = id.slice(dot + 1);
  if (dot < 0 || !key) {
    return null;
  }
  if (prefix === 'attributes') {
    return ATTRIBUTE_COLUMNS.find(c => c.id === id) ?? null;
  }
  const kind = (Object.keys(PREFIX) as Array<keyof typeof PREFIX>).find(k => PREFIX[k] === prefix);
  return kind ? column(kind, key) : null;
}

/** A cell's text: recorded values as text, never HTML. */
export function cellText(run: Run, col: Column): string {
  switch (col.kind) {
    case 'metric': {
      const value = latestMetrics(run).get(col.key);
      return value === undefined ? '' : formatMetric(value);
    }
    case 'param': {
      const param = run.params.find(p => p.key === col.key);
      return param ? formatValue(param.value) : '';
    }
    case 'tag':
      return run.tags?.[col.key] ?? '';
    default:
      return attributeText(run, col.key);
  }
}

function attributeText(run: Run, key: string): string {
  switch (key) {
    case 'name':
      return run.name;
    case 'started':
      return new Date(run.started * 1000).toLocaleString();
    case 'duration':
      return formatDuration(run.duration);
    case 'notebook':
      return run.notebook ?? '';
    default:
      return '';
  }
}

/** Numbers align right; text left. */
export function isNumeric(col: Column): boolean {
  return col.kind === 'metric' || (col.kind === 'attribute' && col.key === 'duration');
}
