/**
 * The sidebar's state and behaviour, with no DOM: what is listed (scope,
 * filter, sort), paging, live updates, the open run, the comparison, run
 * management (tags, note, archive) and the re-run job. Views render it and
 * call its methods; jest tests drive it with a fake `RunsApi`.
 */

import { ISignal, Signal } from '@lumino/signaling';

import type { ListQuery, RunsApi } from './api';
import { messageOf } from './errors';
import { RerunFollower } from './rerun';
import { Job, Lifecycle, Run, RunDetail, RunDiff } from './types';

export type Scope = 'notebook' | 'all';

/**
 * "time" (newest first) or "metrics.<key>" (by each run's latest value, see
 * `descending`). The server sorts and pages either way: time with the id
 * cursor, a metric with an offset.
 */
export type SortKey = 'time' | `metrics.${string}`;

export type View =
  | { kind: 'list' }
  | { kind: 'detail'; id: string }
  | { kind: 'compare'; a: string; b: string }
  | { kind: 'report'; id: string };

const METRIC_SORT = 'metrics.';

export interface Comparison {
  a: RunDetail;
  b: RunDetail;
  diff: RunDiff;
}

const PAGE_SIZE = 50;
const MAX_PAGE = 500;

export class RunsModel {
  constructor(
    private readonly api: RunsApi,
    private readonly pageSize: number = PAGE_SIZE
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** More than two runs ticked and Compare pressed: the workspace compares N. */
  get compareMany(): ISignal<this, string[]> {
    return this._compareMany;
  }

  scope: Scope = 'notebook';
  /** The active notebook's server-relative path, if any. */
  notebook: string | null = null;
  filter = '';
  sort: SortKey = 'time';
  /** With a metric sort: largest first (runs without the metric are always last). */
  descending = true;
  runs: Run[] = [];
  /** Cells of this scope executing now (every poll asks: they change no revision). */
  running: Run[] = [];
  /** The next page's `before` cursor (time) or `offset` (metric sort); null at the end. */
  next: string | number | null = null;
  revision: number | null = null;
  loading = false;
  error: string | null = null;
  /** Run ids ticked for comparison, oldest tick first (two compare here, more in the workspace). */
  selected: string[] = [];
  view: View = { kind: 'list' };
  detail: RunDetail | null = null;
  comparison: Comparison | null = null;
  /** The re-run started from the detail view: its job, new runs and per-cell report. */
  readonly rerunning: RerunFollower = new RerunFollower(this.api, () => this.emit());

  get job(): Job | null {
    return this.rerunning.job;
  }

  /** Nothing to list: notebook scope without an open notebook. */
  get needsNotebook(): boolean {
    return this.scope === 'notebook' && !this.notebook;
  }

  /** The metric the list is sorted by, if any. */
  get sortMetric(): string | null {
    return this.sort === 'time' ? null : this.sort.slice(METRIC_SORT.length);
  }

  /** Metric keys across the loaded runs (and the one sorted by), for the sort menu. */
  get metricKeys(): string[] {
    const keys = new Set<string>();
    const sorted = this.sortMetric;
    if (sorted !== null) {
      keys.add(sorted);
    }
    for (const run of this.runs) {
      for (const m of run.metrics) {
        keys.add(m.key);
      }
    }
    return [...keys].sort();
  }

  /** The loaded runs in display order (the server's: every sort is done there). */
  get visibleRuns(): Run[] {
    return this.runs;
  }

  setScope(scope: Scope): Promise<void> {
    if (scope === this.scope) {
      return Promise.resolve();
    }
    this.scope = scope;
    return this.refresh();
  }

  /** Follow the active notebook; only refetches when that changes what is listed. */
  setNotebook(path: string | null): Promise<void> {
    if (path === this.notebook) {
      return Promise.resolve();
    }
    this.notebook = path;
    return this.scope === 'notebook' ? this.refresh() : Promise.resolve();
  }

  setFilter(text: string): Promise<void> {
    if (text === this.filter) {
      return Promise.resolve();
    }
    this.filter = text;
    return this.refresh();
  }

  /** Sort by time or by a metric; refetches the first page in that order. */
  setSort(sort: SortKey, descending = true): Promise<void> {
    if (sort === this.sort && (sort === 'time' || descending === this.descending)) {
      return Promise.resolve();
    }
    this.sort = sort;
    this.descending = descending;
    this.runs = [];
    this.next = null;
    return this.refresh();
  }

  /** Refetch the first page (as many runs as are shown, so live updates keep the scroll). */
  async refresh(): Promise<void> {
    if (this.needsNotebook) {
      this._request++;
      this.runs = [];
      this.next = null;
      this.error = null;
      this.loading = false;
      this.emit();
      return;
    }
    const limit = Math.min(MAX_PAGE, Math.max(this.pageSize, this.runs.length));
    await this.load({ ...this.query(), limit }, false);
  }

  async loadMore(): Promise<void> {
    if (this.next === null || this.loading) {
      return;
    }
    const page =
      typeof this.next === 'number' ? { offset: this.next } : { before: String(this.next) };
    await this.load({ ...this.query(), ...page, limit: this.pageSize }, true);
  }

  /** The cheap poll: refetch only when the store's revision moved. */
  async checkForChanges(): Promise<boolean> {
    let revision: number;
    const wasRunning = this.running.length > 0;
    try {
      revision = await this.api.revision();
      this.running = (await this.api.running()).filter(
        run => this.scope === 'all' || run.notebook === this.notebook
      );
    } catch (error) {
      this.fail(error);
      return false;
    }
    await this.rerunning.refresh();
    if (revision === this.revision) {
      if (wasRunning || this.running.length > 0) {
        this.emit(); // running cells: their elapsed time, or their end
      }
      return false;
    }
    this.revision = revision;
    await this.refresh();
    const view = this.view;
    if (view.kind === 'detail' && this.detail?.run.status === 'running') {
      await this.openDetail(view.id);
    }
    return true;
  }

  toggleSelected(id: string): void {
    if (this.selected.includes(id)) {
      this.selected = this.selected.filter(x => x !== id);
    } else {
      this.selected = [...this.selected, id];
    }
    this.emit();
  }

  async openDetail(id: string): Promise<void> {
    this.view = { kind: 'detail', id };
    if (this.detail?.run.id !== id) {
      this.detail = null;
      if (this.rerunning.job?.run !== id) {
        this.rerunning.clear();
      }
    }
    this.emit();
    try {
      const detail = await this.api.getRun(id);
      if (this.view.kind === 'detail' && this.view.id === id) {
        this.detail = detail;
        this.error = null;
      }
    } catch (error) {
      this.fail(error);
    }
    this.emit();
  }

  /** Compare the two ticked runs, older on the left; more than two go to the workspace. */
  async openCompare(): Promise<void> {
    if (this.selected.length > 2) {
      this._compareMany.emit([...this.selected]);
      return;
    }
    if (this.selected.length !== 2) {
      return;
    }
    const [a, b] = [...this.selected].sort();
    this.view = { kind: 'compare', a, b };
    this.comparison = null;
    this.emit();
    try {
      const [left, right, diff] = await Promise.all([
        this.api.getRun(a),
        this.api.getRun(b),
        this.api.diff(a, b)
      ]);
      this.comparison = { a: left, b: right, diff };
      this.error = null;
    } catch (error) {
      this.fail(error);
    }
    this.emit();
  }

  back(): void {
    this.view = { kind: 'list' };
    this.error = null;
    this.emit();
  }

  /** Start a papermill re-run of a run; a refusal becomes a failed job with the reason. */
  rerun(id: string): Promise<void> {
    return this.rerunning.start(id);
  }

  /** Whether a re-run is still going (the poll follows it). */
  get jobActive(): boolean {
    return this.rerunning.active;
  }

  /** The per-cell report of the finished re-run of run `id`. */
  openReport(id: string): void {
    this.view = { kind: 'report', id };
    this.emit();
  }

  /** Set (or add) the tag `key` to `value` ("" for a bare tag). */
  setTag(id: string, key: string, value: string): Promise<void> {
    return this.manage(() => this.api.setTag(id, key.trim(), value.trim()));
  }

  removeTag(id: string, key: string): Promise<void> {
    return this.manage(() => this.api.removeTag(id, key));
  }

  /** The run's note; empty text clears it. */
  setNote(id: string, note: string): Promise<void> {
    return this.manage(() => this.api.updateRun(id, { note }));
  }

  /** Archive (hidden from lists), restore (active) or delete (gone at `nbtrail gc`). */
  setLifecycle(id: string, lifecycle: Lifecycle): Promise<void> {
    return this.manage(() => this.api.updateRun(id, { lifecycle }));
  }

  /** One management call; the answered run replaces the listed and the open one. */
  private async manage(call: () => Promise<Run>): Promise<void> {
    try {
      const run = await call();
      this.runs = this.runs
        .map(r => (r.id === run.id ? run : r))
        .filter(r => r.id !== run.id || (run.lifecycle ?? 'active') === 'active');
      if (this.detail?.run.id === run.id) {
        this.detail = { ...this.detail, run };
      }
      this.error = null;
    } catch (error) {
      this.fail(error);
    }
    this.emit();
  }

  private query(): ListQuery {
    const query: ListQuery = {
      notebook: this.scope === 'notebook' ? (this.notebook ?? undefined) : undefined,
      filter: this.filter.trim() || undefined
    };
    if (this.sort !== 'time') {
      query.sort = this.sort;
      query.order = this.descending ? 'desc' : 'asc';
    }
    return query;
  }

  /** One list request; a response overtaken by a newer request is dropped. */
  private async load(query: ListQuery, append: boolean): Promise<void> {
    const request = ++this._request;
    this.loading = true;
    this.emit();
    try {
      const page = await this.api.listRuns(query);
      if (request !== this._request) {
        return;
      }
      // Offset pages can overlap when runs arrive between two requests.
      const seen = new Set(append ? this.runs.map(run => run.id) : []);
      this.runs = append
        ? [...this.runs, ...page.runs.filter(run => !seen.has(run.id))]
        : page.runs;
      this.next = page.next;
      this.revision = page.revision;
      this.error = null;
    } catch (error) {
      if (request !== this._request) {
        return;
      }
      this.fail(error);
    }
    this.loading = false;
    this.emit();
  }

  private fail(error: unknown): void {
    this.error = messageOf(error);
    this.emit();
  }

  private emit(): void {
    this._changed.emit();
  }

  private _request = 0;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _compareMany = new Signal<this, string[]>(this);
}
