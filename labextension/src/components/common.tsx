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

/**
 * Key/value lines for a narrow panel: the key never wraps (ellipsis), the
 * value wraps only between words, and the full text is each line's tooltip.
 */
export function KeyLines(props: {
  rows: Array<[string, string]>;
  empty?: string;
}): JSX.Element | null {
  if (props.rows.length === 0) {
    return props.empty === '' ? null : <div className="nbtrail-empty">{props.empty ?? 'none'}</div>;
  }
  return (
    <dl className="nbtrail-lines">
      {props.rows.map(([key, value]) => (
        <div key={key} className="nbtrail-line" title={`${key}: ${value}`}>
          <dt>{key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ErrorBanner(props: { message: string | null }): JSX.Element | null {
  return props.message ? (
    <div className="nbtrail-error" role="alert">
      {props.message}
    </div>
  ) : null;
}

/** The current time, refreshed every `ms`, so "5 min ago" labels never go stale. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = React.useState(Date.now());
  React.useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}

export function BackButton(props: { onClick: () => void }): JSX.Element {
  return (
    <button className="jp-mod-styled nbtrail-back" onClick={props.onClick} title="Back to the list">
      ← Runs
    </button>
  );
}
