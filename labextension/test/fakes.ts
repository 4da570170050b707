/** A scriptable RunsApi and run factory for model tests. */

import type { ListQuery, RunsApi } from '../src/api';
import { ApiError } from '../src/errors';
import { latestMetrics, sortableMetric } from '../src/format';
import { Job, Run, RunDetail, RunDiff, RunsPage } from '../src/types';

export function makeRun(n: number, fields: Partial<Run> = {}): Run {
  return {
    id: `0000000000${String(n).padStart(2, '0')}aaaaaaaaaa`,
    name: `run ${n}`,
    status: 'finished',
    started: 1_700_000_000 + n,
    ended: 1_700_000_000 + n + 1,
    duration: 1,
    notebook: null,
    cell_id: null,
    execution_count: n,
    source: `x = ${n}\n`,
    source_hash: `h${n}`,
    exception: null,
    env_hash: null,
    session: null,
    parent: null,
    batch: null,
    tags: [],
    params: [],
    metrics: [],
    bindings: [],
    artifacts: [],
    extra: {},
    ...fields
  };
}

export function makeJob(fields: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    kind: 'rerun',
    state: 'running',
    progress: 0,
    batch: 'b1',
    run: null,
    verdict: null,
    error: null,
    created: 0,
    ended: null,
    ...fields
  };
}

/** A run's latest value of a metric as the server sorts it (NaN and missing: undefined). */
function sortValue(run: Run, key: string): number | undefined {
  return sortableMetric(latestMetrics(run).get(key));
}

/** Holds runs newest first and answers like the server, recording every list query. */
export class FakeApi implements RunsApi {
  runs: Run[] = [];
  revisionNumber = 1;
  queries: ListQuery[] = [];
  rerunError: ApiError | null = null;
  /** When set, listRuns waits for this promise before answering. */
  gate: Promise<void> | null = null;

  async listRuns(query: ListQuery): Promise<RunsPage> {
    this.queries.push(query);
    const revision = this.revisionNumber;
    if (this.gate) {
      await this.gate;
    }
    let runs = this.runs.filter(
      r =>
        (!query.notebook || r.notebook === query.notebook) &&
        (!query.q || r.name.includes(query.q)) &&
        (!query.before || r.id < query.before)
    );
    const limit = query.limit ?? 50;
    if (query.sort && query.sort !== 'time') {
      const key = query.sort.slice('metric:'.length);
      const sign = query.order === 'asc' ? 1 : -1;
      runs = [...runs].sort((x, y) => {
        const a = sortValue(x, key);
        const b = sortValue(y, key);
        if (a === undefined || b === undefined || a === b) {
          const missing = (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0);
          return missing || (x.id < y.id ? 1 : -1);
        }
        return sign * (a - b);
      });
      const offset = query.offset ?? 0;
      const more = runs.length > offset + limit;
      runs = runs.slice(offset, offset + limit);
      return { runs, next: more ? offset + limit : null, revision };
    }
    const more = runs.length > limit;
    runs = runs.slice(0, limit);
    return { runs, next: more ? runs[runs.length - 1].id : null, revision };
  }

  async revision(): Promise<number> {
    return this.revisionNumber;
  }

  async getRun(id: string): Promise<RunDetail> {
    const run = this.runs.find(r => r.id === id);
    if (!run) {
      throw new ApiError(404, `no run ${id}`);
    }
    return { run, environment: null, notebook_path: run.notebook };
  }

  async diff(a: string, b: string): Promise<RunDiff> {
    return {
      a,
      b,
      status: null,
      params: [],
      metrics: [{ key: 'acc', a: 0.5, b: 0.9 }],
      bindings: [],
      environment: [],
      packages: [],
      source: ''
    };
  }

  /** What GET jobs answers next. */
  jobState: Partial<Job> = { state: 'finished', progress: 1, verdict: 'reproduced' };

  async rerun(run: string): Promise<Job> {
    if (this.rerunError) {
      throw this.rerunError;
    }
    return makeJob({ run, state: 'queued' });
  }

  async job(id: string): Promise<Job> {
    return makeJob({ id, ...this.jobState });
  }

  async object(): Promise<Blob> {
    throw new Error('not used');
  }

  /** A new run written by some kernel. */
  add(run: Run): void {
    this.runs = [run, ...this.runs];
    this.revisionNumber++;
  }
}
