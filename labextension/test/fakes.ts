/** A scriptable RunsApi and run factory for model tests. */

import type { ListQuery, RunUpdate, WorkspaceApi } from '../src/api';
import { ApiError } from '../src/errors';
import { latestMetrics, sortableMetric } from '../src/format';
import {
  AliasEvent,
  BatchDetail,
  ColumnKeys,
  GroupBy,
  Job,
  ModelDetail,
  ModelSummary,
  MonitoringOverview,
  Run,
  RunDetail,
  RunDiff,
  RunGroup,
  RunsPage
} from '../src/types';

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
    tags: {},
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

/**
 * A tiny stand-in for the filter language: `attr = 'value'` conditions joined
 * by AND (what the UI itself writes), anything else a name substring; `bad`
 * is refused as the server refuses a filter it cannot parse.
 */
function matches(run: Run, filter: string | undefined): boolean {
  if (!filter) {
    return true;
  }
  if (filter.includes('bad')) {
    throw new ApiError(400, "filter: expected a value at position 4: 'bad'");
  }
  return filter.split(' AND ').every(part => {
    const text = part.replace(/^\(|\)$/g, '');
    const cond = /^(\w+) = '(.*)'$/.exec(text);
    if (cond) {
      const value = (run as unknown as Record<string, unknown>)[cond[1]];
      return value === cond[2];
    }
    const none = /^(\w+) IS NULL$/.exec(text);
    if (none) {
      return (run as unknown as Record<string, unknown>)[none[1]] === null;
    }
    return run.name.includes(text);
  });
}

/** Holds runs newest first and answers like the server, recording every list query. */
export class FakeApi implements WorkspaceApi {
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
        matches(r, query.filter) &&
        (query.lifecycle === 'all' ||
          (r.lifecycle ?? 'active') === (query.lifecycle ?? 'active')) &&
        (!query.before || r.id < query.before)
    );
    const total = runs.length;
    const limit = query.limit ?? 50;
    if (query.sort && query.sort !== 'time') {
      const key = query.sort.slice('metrics.'.length);
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
      return { runs, next: more ? offset + limit : null, revision, total };
    }
    if (query.offset) {
      runs = runs.slice(query.offset);
    }
    const more = runs.length > limit;
    runs = runs.slice(0, limit);
    return { runs, next: more ? runs[runs.length - 1].id : null, revision, total };
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

  /** What GET batches answers (a re-run's per-cell report). */
  batchDetail: BatchDetail | null = null;

  async batch(id: string): Promise<BatchDetail> {
    if (!this.batchDetail) {
      throw new ApiError(404, `no batch ${id}`);
    }
    return this.batchDetail;
  }

  async updateRun(id: string, update: RunUpdate): Promise<Run> {
    return this.change(id, run => ({ ...run, ...update }));
  }

  async setTag(id: string, key: string, value: string): Promise<Run> {
    return this.change(id, run => ({ ...run, tags: { ...run.tags, [key]: value } }));
  }

  async removeTag(id: string, key: string): Promise<Run> {
    return this.change(id, run => {
      const tags = { ...run.tags };
      delete tags[key];
      return { ...run, tags };
    });
  }

  async columns(filter: string): Promise<ColumnKeys> {
    const runs = this.runs.filter(r => matches(r, filter));
    const keys = (pick: (r: Run) => string[]) => [...new Set(runs.flatMap(pick))].sort();
    return {
      params: keys(r => r.params.map(p => p.key)),
      metrics: keys(r => r.metrics.map(m => m.key)),
      tags: keys(r => Object.keys(r.tags))
    };
  }

  async groups(by: GroupBy, filter: string): Promise<RunGroup[]> {
    const groups = new Map<string | null, Run[]>();
    for (const run of this.runs.filter(r => matches(r, filter))) {
      const key = run[by];
      groups.set(key, [...(groups.get(key) ?? []), run]);
    }
    return [...groups].map(([key, runs]) => ({
      key,
      count: runs.length,
      latest: Math.max(...runs.map(r => r.started)),
      kind: by === 'batch' && key ? 'sweep' : null,
      verdict: null
    }));
  }

  runningRuns: Run[] = [];

  async running(): Promise<Run[]> {
    return this.runningRuns;
  }

  modelList: ModelSummary[] = [];
  modelDetails: Record<string, ModelDetail> = {};
  aliasEvents: AliasEvent[] = [];

  async models(): Promise<ModelSummary[]> {
    return this.modelList;
  }

  async model(name: string): Promise<ModelDetail> {
    return this.modelDetails[name];
  }

  async aliasHistory(name: string): Promise<AliasEvent[]> {
    return this.aliasEvents.filter(e => e.name === name);
  }

  async monitoring(name: string, version: number): Promise<MonitoringOverview> {
    return {
      version: `models:/${name}/${version}`,
      traffic: [],
      drift: null,
      drift_error: null,
      labels: []
    };
  }

  private change(id: string, edit: (run: Run) => Run): Run {
    const run = this.runs.find(r => r.id === id);
    if (!run) {
      throw new ApiError(404, `no run ${id}`);
    }
    const changed = edit(run);
    this.runs = this.runs.map(r => (r.id === id ? changed : r));
    this.revisionNumber++;
    return changed;
  }

  /** A new run written by some kernel. */
  add(run: Run): void {
    this.runs = [run, ...this.runs];
    this.revisionNumber++;
  }
}
