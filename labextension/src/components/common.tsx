/** Small pieces the list, detail and compare views share. All text is rendered as text. */

import * as React from 'react';

import { RunStatus } from '../types';

const STATUS_GLYPH: Record<RunStatus, string> = {
  running: '◌',
  finished: '✓',
  failed: '✗',
  interrupted: '■'
};

export function StatusIcon(props: { status: RunStatus }): JSX.Element {
  return (
    <span
      className={`nbtrail-status nbtrail-status-${props.status}`}
      title={props.status}
      aria-label={props.status}
      role="img"
    >
      {STATUS_GLYPH[props.status] ?? '?'}
    </span>
  );
}

export function Section(props: {
  title: string;
  count?: number;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <section className="nbtrail-section">
      <h3 className="nbtrail-section-title">
        {props.title}
        {props.count !== undefined && <span className="nbtrail-count">{props.count}</span>}
      </h3>
      {props.children}
    </section>
  );
}

/** A two-column key/value table; `changed` keys are highlighted. */
export function KeyValueTable(props: {
  rows: Array<[string, string]>;
  empty?: string;
  mono?: boolean;
}): JSX.Element {
  if (props.rows.length === 0) {
    return <div className="nbtrail-empty">{props.empty ?? 'none'}</div>;
  }
  return (
    <table className={`nbtrail-table${props.mono ? ' nbtrail-mono' : ''}`}>
      <tbody>
        {props.rows.map(([key, value]) => (
          <tr key={key}>
            <th scope="row" title={key}>
              {key}
            </th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ErrorBanner(props: { message: string | null }): JSX.Element | null {
  return props.message ? (
    <div className="nbtrail-error" role="alert">
      {props.message}
    </div>
  ) : null;
}

export function BackButton(props: { onClick: () => void }): JSX.Element {
  return (
    <button className="jp-mod-styled nbtrail-back" onClick={props.onClick} title="Back to the list">
      ← Runs
    </button>
  );
}
