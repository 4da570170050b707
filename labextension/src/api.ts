/**
 * The REST client: every call the sidebar and the workspace make to `/nbtrail/api/`.
 *
 * The models depend only on the interfaces here, so their tests pass a fake
 * and never need a server or a DOM.
 */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ApiError } from './errors';
import {
  AliasEvent,
  BatchDetail,
  ColumnKeys,
  GroupBy,
  Job,
  Lifecycle,
  ModelDetail,
  ModelSummary,
  MonitoringOverview,
  Run,
  RunDetail,
  RunDiff,
  RunGroup,
  RunsPage
} from './types';

export { ApiError };

/** Parameters of `GET runs`. */
export interface ListQuery {
  notebook?: string;
  /** The filter language (MLflow's search syntax plus free text). */
  filter?: string;
  /** `time` (the default), `metrics.NAME`, `params.NAME` or `attributes.NAME`. */
  sort?: string;
  order?: 'asc' | 'desc';
  /** Time order pages with this cursor (a run id)... */
  before?: string;
  /** ...any other order (and the workspace's pager) with this offset. */
  offset?: number;
  limit?: number;
  lifecycle?: Lifecycle | 'all';
}

/** `PATCH runs/{ref}`. */
export interface RunUpdate {
  name?: string;
  note?: string;
  lifecycle?: Lifecycle;
}

/** What the sidebar needs. */
export interface RunsApi {
  listRuns(query: ListQuery): Promise<RunsPage>;
  revision(): Promise<number>;
  getRun(id: string): Promise<RunDetail>;
  diff(a: string, b: string): Promise<RunDiff>;
  rerun(id: string): Promise<Job>;
  job(id: string): Promise<Job>;
  batch(id: string): Promise<BatchDetail>;
  updateRun(id: string, update: RunUpdate): Promise<Run>;
  setTag(id: string, key: string, value: string): Promise<Run>;
  removeTag(id: string, key: string): Promise<Run>;
  /** Runs whose cell is executing now (they are saved when it ends). */
  running(): Promise<Run[]>;
  /** An artifact's bytes (fetched with the server's auth, shown via object URLs). */
  object(hash: string, run: string): Promise<Blob>;
}

/** What the workspace needs on top. */
export interface WorkspaceApi extends RunsApi {
  columns(filter: string): Promise<ColumnKeys>;
  groups(by: GroupBy, filter: string): Promise<RunGroup[]>;
  models(): Promise<ModelSummary[]>;
  model(name: string): Promise<ModelDetail>;
  aliasHistory(name: string): Promise<AliasEvent[]>;
  /** A served version's traffic, drift and label metrics since `since` (e.g. 30d). */
  monitoring(name: string, version: number, since: string): Promise<MonitoringOverview>;
}

export class ServerRunsApi implements WorkspaceApi {
  constructor(private readonly settings = ServerConnection.makeSettings()) {}

  listRuns(query: ListQuery): Promise<RunsPage> {
    return this.json<RunsPage>(`runs${queryString({ ...query })}`);
  }

  async revision(): Promise<number> {
    return (await this.json<{ revision: number }>('revision')).revision;
  }

  getRun(id: string): Promise<RunDetail> {
    return this.json<RunDetail>(`runs/${encodeURIComponent(id)}`);
  }

  diff(a: string, b: string): Promise<RunDiff> {
    return this.json<RunDiff>(`runs/${encodeURIComponent(a)}/diff/${encodeURIComponent(b)}`);
  }

  rerun(id: string): Promise<Job> {
    return this.json<Job>('reruns', { method: 'POST', body: JSON.stringify({ run: id }) });
  }

  job(id: string): Promise<Job> {
    return this.json<Job>(`jobs/${encodeURIComponent(id)}`);
  }

  batch(id: string): Promise<BatchDetail> {
    return this.json<BatchDetail>(`batches/${encodeURIComponent(id)}`);
  }

  async updateRun(id: string, update: RunUpdate): Promise<Run> {
    const init = { method: 'PATCH', body: JSON.stringify(update) };
    return (await this.json<{ run: Run }>(`runs/${encodeURIComponent(id)}`, init)).run;
  }

  async setTag(id: string, key: string, value: string): Promise<Run> {
    const init = { method: 'PUT', body: JSON.stringify({ value }) };
    return (await this.json<{ run: Run }>(tagPath(id, key), init)).run;
  }

  async removeTag(id: string, key: string): Promise<Run> {
    return (await this.json<{ run: Run }>(tagPath(id, key), { method: 'DELETE' })).run;
  }

  async object(hash: string, run: string): Promise<Blob> {
    const query = URLExt.objectToQueryString({ run });
    const response = await this.fetch(`objects/${encodeURIComponent(hash)}${query}`, {});
    return response.blob();
  }

  columns(filter: string): Promise<ColumnKeys> {
    return this.json<ColumnKeys>(`runs/columns${queryString({ filter })}`);
  }

  async groups(by: GroupBy, filter: string): Promise<RunGroup[]> {
    const path = `runs/groups${queryString({ by, filter })}`;
    return (await this.json<{ groups: RunGroup[] }>(path)).groups;
  }

  async running(): Promise<Run[]> {
    return (await this.json<{ runs: Run[] }>('runs/running')).runs;
  }

  models(): Promise<ModelSummary[]> {
    return this.json<ModelSummary[]>('models');
  }

  model(name: string): Promise<ModelDetail> {
    return this.json<ModelDetail>(`models/${encodeURIComponent(name)}`);
  }

  aliasHistory(name: string): Promise<AliasEvent[]> {
    return this.json<AliasEvent[]>(`models/${encodeURIComponent(name)}/history`);
  }

  monitoring(name: string, version: number, since: string): Promise<MonitoringOverview> {
    const path = `monitoring/${encodeURIComponent(name)}/${version}${queryString({ since })}`;
    return this.json<MonitoringOverview>(path);
  }

  private async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.fetch(path, init);
    return (await response.json()) as T;
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    const url = URLExt.join(this.settings.baseUrl, 'nbtrail/api', path);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.settings);
    } catch (error) {
      throw new ApiError(0, `cannot reach the server: ${String(error)}`);
    }
    if (!response.ok) {
      let message = response.statusText;
      try {
        message = ((await response.json()) as { message?: string }).message ?? message;
      } catch {
        // not JSON: keep the status text
      }
      throw new ApiError(response.status, message);
    }
    return response;
  }
}

/** `?a=1&b=2` of the parameters that are set (an empty string is not set). */
export function queryString(params: Record<string, string | number | undefined>): string {
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') {
      set[key] = String(value);
    }
  }
  return URLExt.objectToQueryString(set);
}

function tagPath(id: string, key: string): string {
  return `runs/${encodeURIComponent(id)}/tags/${encodeURIComponent(key)}`;
}
