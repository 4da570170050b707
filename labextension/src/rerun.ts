/**
 * Following one re-run started from the UI: the job's progress, the runs its
 * cells wrote so far (each a link) and, once it ended, the per-cell report.
 */

import type { RunsApi } from './api';
import { messageOf } from './errors';
import { equals } from './filter';
import { Job, ReproductionReport, Run } from './types';

const MAX_CELLS = 200;

export class RerunFollower {
  constructor(
    private readonly api: RunsApi,
    private readonly emit: () => void
  ) {}

  job: Job | null = null;
  /** Runs the re-run's cells wrote so far, in execution order. */
  runs: Run[] = [];
  /** The per-cell report, once the re-run finished. */
  report: ReproductionReport | null = null;

  /** Whether the job is still going (the poll follows it). */
  get active(): boolean {
    return this.job !== null && (this.job.state === 'queued' || this.job.state === 'running');
  }

  clear(): void {
    this.settled = false;
    this.job = null;
    this.runs = [];
    this.report = null;
  }

  /** Start a papermill re-run of a run; a refusal becomes a failed job with the reason. */
  async start(run: string): Promise<void> {
    this.clear();
    this.job = localJob(run, 'queued', null);
    this.emit();
    try {
      this.job = await this.api.rerun(run);
    } catch (error) {
      this.job = localJob(run, 'failed', messageOf(error));
    }
    this.emit();
  }

  /** One poll: the job's state, then its runs, then (once ended) its report. */
  async refresh(): Promise<void> {
    const job = this.job;
    if (!job || !job.id || this.settled) {
      return;
    }
    try {
      this.job = await this.api.job(job.id);
    } catch (error) {
      this.job = { ...job, state: 'failed', error: messageOf(error) };
    }
    try {
      await this.loadCells();
    } catch {
      // the cells and report are extras: the job's own state is what counts
    }
    // One last look after the end: the report and every cell's run.
    this.settled = !this.active;
    this.emit();
  }

  private async loadCells(): Promise<void> {
    const batch = this.job?.batch;
    if (!batch) {
      return;
    }
    const filter = equals('batch', batch);
    const page = await this.api.listRuns({ filter, lifecycle: 'all', limit: MAX_CELLS });
    this.runs = [...page.runs].reverse();
    if (this.job?.state === 'finished') {
      this.report = (await this.api.batch(batch)).reproduction?.report ?? null;
    }
  }

  private settled = false;
}

/** A job the server never created (starting, or refused), for display. */
function localJob(run: string, state: Job['state'], error: string | null): Job {
  return {
    id: '',
    kind: 'rerun',
    state,
    progress: 0,
    batch: null,
    run,
    verdict: null,
    error,
    created: Date.now() / 1000,
    ended: null
  };
}
