/**
 * The REST client: every call the sidebar makes to `/nbtrail/api/`.
 *
 * The model depends only on the `RunsApi` interface, so its tests pass a fake
 * and never need a server or a DOM.
 */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ApiError } from './errors';
import { Job, RunDetail, RunDiff, RunsPage } from './types';

export { ApiError };

/** Filters of `GET runs`. */
export interface ListQuery {
  notebook?: string;
  q?: string;
  status?: string;
  /** `time` (the default) or `metric:<key>`: by each run's latest value of that metric. */
  sort?: string;
  /** With a metric sort: `desc` (largest first, the default) or `asc`. */
  order?: 'asc' | 'desc';
  /** Time order pages with this cursor (a run id)... */
  before?: string;
  /** ...a metric sort with this offset. */
  offset?: number;
  limit?: number;
}

export interface RunsApi {
  listRuns(query: ListQuery): Promise<RunsPage>;
  revision(): Promise<number>;
  getRun(id: string): Promise<RunDetail>;
  diff(a: string, b: string): Promise<RunDiff>;
  rerun(id: string): Promise<Job>;
  job(id: string): Promise<Job>;
  /** An artifact's bytes (fetched with the server's auth, shown via object URLs). */
  object(hash: string, run: string): Promise<Blob>;
}

export class ServerRunsApi implements RunsApi {
  constructor(private readonly settings = ServerConnection.makeSettings()) {}

  listRuns(query: ListQuery): Promise<RunsPage> {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') {
        params[key] = String(value);
      }
    }
    return this.json<RunsPage>(`runs${URLExt.objectToQueryString(params)}`);
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

  async object(hash: string, run: string): Promise<Blob> {
    const query = URLExt.objectToQueryString({ run });
    const response = await this.fetch(`objects/${encodeURIComponent(hash)}${query}`, {});
    return response.blob();
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
