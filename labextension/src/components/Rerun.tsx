/**
 * A re-run started from the UI, as it goes: progress, each cell's new run as
 * it is written (a link), then the verdict and the per-cell report.
 */

import * as React from 'react';

import { RunsModel } from '../model';
import { CellReport } from '../types';
import { BackButton, ErrorBanner, StatusIcon } from './common';

export function RerunStatus(props: { model: RunsModel }): JSX.Element | null {
  const { model } = props;
  const { job, runs, report } = model.rerunning;
  if (!job) {
    return null;
  }
  const percent = Math.round(job.progress * 100);
  let text: string;
  if (job.state === 'running') {
    text = `running: ${runs.length} cell${runs.length === 1 ? '' : 's'} re-run, ${percent}%`;
  } else if (job.state === 'finished') {
    text = `finished: ${job.verdict ?? 'done'}`;
  } else if (job.state === 'failed') {
    text = `failed: ${job.error ?? 'unknown error'}`;
  } else {
    text = job.state;
  }
  const verdict = job.verdict?.startsWith('reproduced') ? ' nbtrail-job-ok' : '';
  return (
    <div className={`nbtrail-job nbtrail-job-${job.state}${verdict}`}>
      <div role="status">Re-run {text}</div>
      {job.state === 'running' && (
        <progress
          className="nbtrail-progress"
          max={100}
          value={percent}
          aria-label="Re-run progress"
        />
      )}
      {runs.length > 0 && (
        <ol className="nbtrail-job-cells" aria-label="Re-run cells">
          {runs.map(run => (
            <li key={run.id}>
              <StatusIcon status={run.status} />
              <button
                className="nbtrail-link"
                onClick={() => void model.openDetail(run.id)}
                title={`Open run ${run.id}`}
              >
                {run.name}
              </button>
              <span className="nbtrail-run-time">{run.id.slice(-8)}</span>
            </li>
          ))}
        </ol>
      )}
      {report && job.run && (
        <button
          className="nbtrail-link nbtrail-report-link"
          onClick={() => model.openReport(job.run as string)}
        >
          Per-cell report ({report.cells.length} cells)
        </button>
      )}
    </div>
  );
}

/** The finished re-run's per-cell report: each cell's outcome, its original and new run. */
export function ReportView(props: { model: RunsModel }): JSX.Element {
  const { model } = props;
  const report = model.rerunning.report;
  return (
    <div className="nbtrail-detail nbtrail-report">
      <div className="nbtrail-detail-bar">
        <BackButton onClick={() => model.back()} />
      </div>
      <ErrorBanner message={model.error} />
      {!report ? (
        <div className="nbtrail-empty">No report yet.</div>
      ) : (
        <>
          <h2 className="nbtrail-detail-title">Re-run: {report.verdict}</h2>
          <p className="nbtrail-report-summary">{report.summary}</p>
          <ol className="nbtrail-report-cells">
            {report.cells.map((cell, i) => (
              <CellLine key={i} cell={cell} model={model} first={i === report.first_divergent} />
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

function CellLine(props: { cell: CellReport; model: RunsModel; first: boolean }): JSX.Element {
  const { cell, model } = props;
  const ok = cell.outcome === 'same' || cell.outcome === 'within tolerance';
  return (
    <li className={`nbtrail-report-cell${props.first ? ' nbtrail-changed' : ''}`}>
      <div className="nbtrail-run-line">
        <span className="nbtrail-run-name">{cell.name}</span>
        <span className={`nbtrail-verdict ${ok ? 'nbtrail-verdict-ok' : 'nbtrail-verdict-bad'}`}>
          {cell.outcome}
        </span>
      </div>
      <div className="nbtrail-run-line nbtrail-run-meta">
        {cell.original && (
          <button
            className="nbtrail-link"
            onClick={() => void model.openDetail(cell.original as string)}
          >
            original {cell.original.slice(-8)}
          </button>
        )}
        {cell.rerun && (
          <button
            className="nbtrail-link"
            onClick={() => void model.openDetail(cell.rerun as string)}
          >
            re-run {cell.rerun.slice(-8)}
          </button>
        )}
      </div>
      {cell.error && <div className="nbtrail-exception">{cell.error}</div>}
    </li>
  );
}
