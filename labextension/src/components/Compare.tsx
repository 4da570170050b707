/** Two runs side by side; rows the diff endpoint reports as changed are highlighted. */

import * as React from 'react';

import { formatMetric, formatValue, latestMetrics, shortHash } from '../format';
import { Comparison, RunsModel } from '../model';
import { Change, JsonValue } from '../types';
import { BackButton, ErrorBanner, Section, StatusIcon } from './common';

interface Row {
  key: string;
  a: string;
  b: string;
  changed: boolean;
}

export function CompareView(props: { model: RunsModel }): JSX.Element {
  const { model } = props;
  const comparison = model.comparison;
  return (
    <div className="nbtrail-compare">
      <div className="nbtrail-detail-bar">
        <BackButton onClick={() => model.back()} />
      </div>
      <ErrorBanner message={model.error} />
      {comparison ? (
        <CompareBody comparison={comparison} />
      ) : (
        <div className="nbtrail-empty">Loading…</div>
      )}
    </div>
  );
}

function CompareBody(props: { comparison: Comparison }): JSX.Element {
  const { a, b, diff } = props.comparison;
  const runA = a.run;
  const runB = b.run;
  const changedKeys = (changes: Change[]) => new Set(changes.map(c => c.key));
  const paramRows = unionRows(
    Object.fromEntries(runA.params.map(p => [p.key, p.value])),
    Object.fromEntries(runB.params.map(p => [p.key, p.value])),
    changedKeys(diff.params),
    v => formatValue(v as JsonValue)
  );
  const metricRows = unionRows(
    Object.fromEntries(latestMetrics(runA)),
    Object.fromEntries(latestMetrics(runB)),
    changedKeys(diff.metrics),
    v => formatMetric(v as number | string | null)
  );
  const changedBindings = new Set(diff.bindings.map(c => `${c.direction} ${c.name}`));
  const bindingRows = unionRows(
    Object.fromEntries(runA.bindings.map(x => [`${x.direction} ${x.name}`, x.hash])),
    Object.fromEntries(runB.bindings.map(x => [`${x.direction} ${x.name}`, x.hash])),
    changedBindings,
    v => shortHash((v as string | null) ?? null)
  );
  const changesRows = (changes: Change[]): Row[] =>
    changes.map(c => ({ key: c.key, a: formatValue(c.a), b: formatValue(c.b), changed: true }));
  return (
    <>
      <table className="nbtrail-table nbtrail-compare-table">
        <thead>
          <tr>
            <th />
            <th>
              <StatusIcon status={runA.status} /> {runA.name}
              <div className="nbtrail-compare-id">{runA.id.slice(-8)}</div>
            </th>
            <th>
              <StatusIcon status={runB.status} /> {runB.name}
              <div className="nbtrail-compare-id">{runB.id.slice(-8)}</div>
            </th>
          </tr>
        </thead>
        <RowGroup
          title="Run"
          rows={[{ key: 'status', a: runA.status, b: runB.status, changed: !!diff.status }]}
        />
        <RowGroup title="Parameters" rows={paramRows} />
        <RowGroup title="Metrics" rows={metricRows} />
        <RowGroup title="Data (hash)" rows={bindingRows} />
        <RowGroup title="Environment" rows={changesRows(diff.environment)} empty="same" />
        <RowGroup title="Packages" rows={changesRows(diff.packages)} empty="same versions" />
      </table>
      <Section title="Source diff">
        {diff.source ? (
          <pre className="nbtrail-pre nbtrail-diff">
            {diff.source.split('\n').map((line, i) => (
              <div key={i} className={lineClass(line)}>
                {line || ' '}
              </div>
            ))}
          </pre>
        ) : (
          <div className="nbtrail-empty">same source</div>
        )}
      </Section>
    </>
  );
}

function RowGroup(props: { title: string; rows: Row[]; empty?: string }): JSX.Element {
  return (
    <tbody>
      <tr className="nbtrail-group">
        <th colSpan={3}>{props.title}</th>
      </tr>
      {props.rows.length === 0 ? (
        <tr>
          <td colSpan={3} className="nbtrail-empty">
            {props.empty ?? 'none'}
          </td>
        </tr>
      ) : (
        props.rows.map(row => (
          <tr key={row.key} className={row.changed ? 'nbtrail-changed' : undefined}>
            <th scope="row">{row.key}</th>
            <td>{row.a}</td>
            <td>{row.b}</td>
          </tr>
        ))
      )}
    </tbody>
  );
}

function unionRows(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  changed: Set<string>,
  format: (value: unknown) => string
): Row[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.map(key => ({
    key,
    a: key in a ? format(a[key]) : '–',
    b: key in b ? format(b[key]) : '–',
    changed: changed.has(key)
  }));
}

function lineClass(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@')) {
    return 'nbtrail-diff-meta';
  }
  if (line.startsWith('+')) {
    return 'nbtrail-diff-add';
  }
  if (line.startsWith('-')) {
    return 'nbtrail-diff-del';
  }
  return undefined;
}
