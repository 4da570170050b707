/**
 * The REST payloads. They mirror `nbtrail.records` (`Run.to_dict()`) and
 * `nbtrail.diff.RunDiff.to_dict()`, so the sidebar and the Python API agree on
 * what a run is. Non-finite floats arrive as the strings "NaN", "Infinity" and
 * "-Infinity" because JSON has no such numbers.
 */

export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type MetricValue = number | string | null;

export interface Param {
  key: string;
  value: JsonValue;
  origin: string;
}

export interface Metric {
  key: string;
  value: MetricValue;
  step: number | null;
  time: number;
}

export interface Binding {
  name: string;
  direction: 'in' | 'out';
  kind: string;
  hash: string | null;
  summary: { [key: string]: JsonValue };
}

export interface Artifact {
  name: string;
  hash: string;
  media_type: string;
  size: number;
}

export interface ExceptionInfo {
  type: string;
  message: string;
  traceback: string;
}

export interface Run {
  id: string;
  name: string;
  status: RunStatus;
  started: number;
  ended: number | null;
  duration: number | null;
  notebook: string | null;
  cell_id: string | null;
  execution_count: number | null;
  source: string;
  source_hash: string;
  exception: ExceptionInfo | null;
  env_hash: string | null;
  session: string | null;
  parent: string | null;
  batch: string | null;
  tags: string[];
  params: Param[];
  metrics: Metric[];
  bindings: Binding[];
  artifacts: Artifact[];
  extra: { [key: string]: JsonValue };
}

export interface EnvSnapshot {
  hash: string;
  python: string;
  executable: string;
  platform: string;
  cpu_count: number;
  memory_bytes: number | null;
  packages: { [name: string]: string };
  git: { [key: string]: JsonValue };
  env_vars: { [key: string]: string };
}

/** `GET runs`: one page, newest first. */
export interface RunsPage {
  runs: Run[];
  /** What asks for the next page: the `before` cursor (time), the `offset` (metric sort). */
  next: string | number | null;
  revision: number;
}

/** `GET runs/{id}`. */
export interface RunDetail {
  run: Run;
  environment: EnvSnapshot | null;
  /** The notebook's path relative to the server root, when it is under it. */
  notebook_path: string | null;
}

export interface Change {
  key: string;
  a: JsonValue;
  b: JsonValue;
}

export interface BindingChange {
  name: string;
  direction: string;
  hash_a: string | null;
  hash_b: string | null;
  details: Change[];
}

/** `GET runs/{a}/diff/{b}`. */
export interface RunDiff {
  a: string;
  b: string;
  status: Change | null;
  params: Change[];
  metrics: Change[];
  bindings: BindingChange[];
  environment: Change[];
  packages: Change[];
  source: string;
}

export type JobState = 'queued' | 'running' | 'finished' | 'failed';

/** A re-run job (`nbtrail.reproduce.jobs.JobStatus`): `POST reruns`, `GET jobs/{id}`. */
export interface Job {
  id: string;
  kind: string;
  state: JobState;
  /** 0..1: the share of the original session's tracked cells re-run so far. */
  progress: number;
  batch: string | null;
  run: string | null;
  /** "reproduced", "diverged", ... once finished. */
  verdict: string | null;
  /** Why the job itself failed (or could not start). */
  error: string | null;
  created: number;
  ended: number | null;
}
