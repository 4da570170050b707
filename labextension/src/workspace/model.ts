/**
 * The runs workspace's state, with no DOM: one server-side page of the runs
 * table (filter, sort by any column, offset paging over the server's total),
 * the columns shown, groups, the selection that charts and compare use, and
 * the runs executing now. Every query goes to the server, so a store of
 * 100,000 runs costs one page, never the whole list.
 */

import { ISignal, Signal } from '@lumino/signaling';

import type { ListQuery, WorkspaceApi } from '../api';
import { messageOf } from '../errors';
import { both, equals } from '../filter';
import { ColumnKeys, GroupBy, Lifecycle, Run, RunGroup } from '../types';
import { defaultVisible } from './columns';
import { Direction, guessDirection } from './compare';
import { ModelsModel } from './models';

export type Tab = 'runs' | 'charts' | 'compare' | 'models';
export type Order = 'asc' | 'desc';

export const PAGE_SIZES = [25, 50, 100, 200];
/** Runs shown under an expanded group before "show all" narrows the table to it. */
export const GROUP_PAGE = 20;
/** Groups rendered at most (grouping by name can make thousands). */
export const MAX_GROUPS = 200;
/** Runs of one group a chart takes at most (a sweep's grid, typically far fewer). */
export const MAX_CHARTED = 200;
/**
 * The column keys scan every matching run (about a second at 100,000 runs),
 * so a live update refreshes them at most this often; a new filter always does.
 */
const COLUMNS_EVERY_MS = 15_000;

export interface ExpandedGroup {
  runs: Run[];
  loading: boolean;
}

export class WorkspaceModel {
  constructor(private readonly api: WorkspaceApi) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  tab: Tab = 'runs';
  filter = '';
  /** The server's one-line message for a filter it cannot parse. */
  filterError: string | null = null;
  error: string | null = null;
  sort = 'time';
  order: Order = 'desc';
  lifecycle: Lifecycle | 'all' = 'active';
  pageSize = 50;
  offset = 0;
  total = 0;
  runs: Run[] = [];
  loading = false;
  revision: number | null = null;
  columnKeys: ColumnKeys = { params: [], metrics: [], tags: [] };
  /** Column ids shown; null until the user chooses (then the first few keys show). */
  chosenColumns: string[] | null = null;
  groupBy: GroupBy | null = null;
  groups: RunGroup[] = [];
  expanded = new Map<string, ExpandedGroup>();
  /** Ticked run ids, in tick order; they stay ticked across pages. */
  selected: string[] = [];
  /** The ticked runs' full records, refreshed when charts or compare open. */
  selection: Run[] = [];
  running: Run[] = [];
  /** The run compare measures against (the first ticked one unless chosen). */
  baseline: string | null = null;
  /** Per metric: whether higher or lower is better, where the user flipped the guess. */
  directions: Record<string, Direction> = {};
  readonly models: ModelsModel = new ModelsModel(this.api, () => this.emit());

  get visibleColumns(): string[] {
    return this.chosenColumns ?? defaultVisible(this.columnKeys);
  }

  get pageCount(): number {
    return Math.max(1, Math.ceil(this.total / this.pageSize));
  }

  get page(): number {
    return Math.floor(this.offset / this.pageSize);
  }

  setTab(tab: Tab): Promise<void> {
    this.tab = tab;
    this.emit();
    if (tab === 'models') {
      return this.models.refresh();
    }
    return tab === 'charts' || tab === 'compare' ? this.loadSelection() : Promise.resolve();
  }

  /** A new filter: back to the first page; columns and groups follow it. */
  async setFilter(text: string): Promise<void> {
    if (text === this.filter) {
      return;
    }
    this.filter = text;
    this.offset = 0;
    await this.reload();
  }

  /** Click on a header: sort by it (descending first), a second click flips the order. */
  async sortBy(columnId: string): Promise<void> {
    const key = columnId === 'attributes.started' ? 'time' : columnId;
    this.order = key === this.sort && this.order === 'desc' ? 'asc' : 'desc';
    this.sort = key;
    this.offset = 0;
    this.expanded.clear();
    await Promise.all([this.loadPage(), this.reloadExpanded()]);
  }

  async setLifecycle(lifecycle: Lifecycle | 'all'): Promise<void> {
    this.lifecycle = lifecycle;
    this.offset = 0;
    await this.reload();
  }

  setColumns(ids: string[]): void {
    this.chosenColumns = ids;
    this.emit();
  }

  toggleColumn(id: string): void {
    const shown = this.visibleColumns;
    this.setColumns(shown.includes(id) ? shown.filter(c => c !== id) : [...shown, id]);
  }

  async setPageSize(size: number): Promise<void> {
    this.pageSize = size;
    this.offset = 0;
    await this.loadPage();
  }

  /** Go to page `n` (0-based), clamped to the pages there are. */
  async goToPage(n: number): Promise<void> {
    const page = Math.min(Math.max(0, n), this.pageCount - 1);
    this.offset = page * this.pageSize;
    await this.loadPage();
  }

  async setGroupBy(by: GroupBy | null): Promise<void> {
    this.groupBy = by;
    this.expanded.clear();
    await this.loadGroups();
  }

  /** Open or close a group; an opened group lists its first runs in the table's order. */
  async toggleGroup(key: string | null): Promise<void> {
    const id = groupId(key);
    if (this.expanded.has(id)) {
      this.expanded.delete(id);
      this.emit();
      return;
    }
    this.expanded.set(id, { runs: [], loading: true });
    this.emit();
    await this.loadGroup(key);
  }

  /** Narrow the table to one group: its condition joins the filter, grouping ends. */
  async showGroup(key: string | null): Promise<void> {
    const by = this.groupBy;
    if (!by) {
      return;
    }
    this.groupBy = null;
    this.expanded.clear();
    this.filter = both(this.filter, equals(by, key));
    this.offset = 0;
    await this.reload();
  }

  /** Chart a whole group (a sweep's runs): select its runs, open the charts. */
  async chartGroup(key: string | null): Promise<void> {
    const by = this.groupBy;
    if (!by) {
      return;
    }
    const filter = both(this.filter, equals(by, key));
    try {
      const page = await this.api.listRuns(this.query({ filter, offset: 0, limit: MAX_CHARTED }));
      this.selected = page.runs.map(r => r.id);
      this.selection = page.runs;
    } catch (error) {
      this.error = messageOf(error);
    }
    await this.setTab('charts');
  }

  toggleSelected(run: Run): void {
    const id = run.id;
    this.selected = this.selected.includes(id)
      ? this.selected.filter(x => x !== id)
      : [...this.selected, id];
    this.selection = this.selection.filter(r => this.selected.includes(r.id));
    if (this.selected.includes(id)) {
      this.selection = [...this.selection, run];
    }
    this.emit();
  }

  /** Tick exactly these runs (the sidebar's "compare more than two"). */
  async select(ids: string[]): Promise<void> {
    this.selected = [...ids];
    this.selection = [];
    await this.loadSelection();
  }

  clearSelection(): void {
    this.selected = [];
    this.selection = [];
    this.emit();
  }

  get baselineIndex(): number {
    return Math.max(
      0,
      this.selection.findIndex(r => r.id === this.baseline)
    );
  }

  setBaseline(id: string): void {
    this.baseline = id;
    this.emit();
  }

  /** Higher is better <-> lower is better, for one metric. */
  flipDirection(metric: string): void {
    const now = this.directions[metric] ?? guessDirection(metric);
    this.directions = { ...this.directions, [metric]: now === 'higher' ? 'lower' : 'higher' };
    this.emit();
  }

  /** The ticked runs' records from the server (all steps, artifacts). */
  async loadSelection(): Promise<void> {
    const ids = [...this.selected];
    try {
      const details = await Promise.all(ids.map(id => this.api.getRun(id)));
      if (ids.join() === this.selected.join()) {
        this.selection = details.map(d => d.run);
      }
    } catch (error) {
      this.error = messageOf(error);
    }
    this.emit();
  }

  /** Everything that follows the filter: the page first (what the user waits for), then
   * the column keys and groups. */
  async reload(columns = true): Promise<void> {
    await this.loadPage();
    await Promise.all([columns ? this.loadColumns() : Promise.resolve(), this.loadGroups()]);
  }

  /** The poll: runs executing now every time; the rest only when the store changed. */
  async checkForChanges(): Promise<boolean> {
    const wasRunning = this.running.length > 0;
    try {
      this.running = await this.api.running();
      const revision = await this.api.revision();
      if (revision === this.revision) {
        if (wasRunning || this.running.length > 0) {
          this.emit();
        }
        return false;
      }
      this.revision = revision;
    } catch (error) {
      this.error = messageOf(error);
      this.emit();
      return false;
    }
    const columns = Date.now() - this._columnsAt >= COLUMNS_EVERY_MS;
    await Promise.all([this.reload(columns), this.reloadExpanded()]);
    if (this.tab === 'charts' || this.tab === 'compare') {
      await this.loadSelection();
    }
    return true;
  }

  query(extra: Partial<ListQuery> = {}): ListQuery {
    const query: ListQuery = {
      filter: this.filter.trim() || undefined,
      lifecycle: this.lifecycle,
      limit: this.pageSize,
      offset: this.offset
    };
    if (this.sort !== 'time' || this.order !== 'desc') {
      query.sort = this.sort === 'time' ? 'attributes.started' : this.sort;
      query.order = this.order;
    }
    return { ...query, ...extra };
  }

  private async loadPage(): Promise<void> {
    const request = ++this._request;
    this.loading = true;
    this.emit();
    try {
      const page = await this.api.listRuns(this.query());
      if (request !== this._request) {
        return;
      }
      this.runs = page.runs;
      this.total = page.total ?? page.runs.length;
      this.revision = page.revision;
      this.filterError = null;
      this.error = null;
    } catch (error) {
      if (request !== this._request) {
        return;
      }
      this.runs = [];
      this.total = 0;
      this.filterError = messageOf(error);
    }
    this.loading = false;
    this.emit();
  }

  private async loadColumns(): Promise<void> {
    this._columnsAt = Date.now();
    try {
      this.columnKeys = await this.api.columns(this.filter.trim());
    } catch {
      // the page's request reports a bad filter
    }
    this.emit();
  }

  private async loadGroups(): Promise<void> {
    if (!this.groupBy) {
      this.groups = [];
      this.emit();
      return;
    }
    try {
      this.groups = await this.api.groups(this.groupBy, this.filter.trim());
    } catch {
      this.groups = [];
    }
    this.emit();
  }

  private async reloadExpanded(): Promise<void> {
    const keys = this.groups.map(g => g.key).filter(k => this.expanded.has(groupId(k)));
    await Promise.all(keys.map(key => this.loadGroup(key)));
  }

  private async loadGroup(key: string | null): Promise<void> {
    const by = this.groupBy;
    if (!by) {
      return;
    }
    const filter = both(this.filter, equals(by, key));
    try {
      const page = await this.api.listRuns(this.query({ filter, offset: 0, limit: GROUP_PAGE }));
      if (this.expanded.has(groupId(key))) {
        this.expanded.set(groupId(key), { runs: page.runs, loading: false });
      }
    } catch (error) {
      this.error = messageOf(error);
      this.expanded.delete(groupId(key));
    }
    this.emit();
  }

  private emit(): void {
    this._changed.emit();
  }

  private _request = 0;
  private _columnsAt = 0;
  private readonly _changed = new Signal<this, void>(this);
}

/** A group's key as a map key (runs without a batch share the null group). */
export function groupId(key: string | null): string {
  return key === null ? '\u0000none' : key;
}
