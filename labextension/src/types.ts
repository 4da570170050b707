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
  /** key -> value; a bare tag has the value "". */
  tags: { [key: string]: string };
  params: Param[];
  metrics: Metric[];
  bindings: Binding[];
  artifacts: Artifact[];
  extra: { [key: string]: JsonValue };
  /** The user's words about the run. */
  note?: string | null;
  /** archived runs are hidden from lists; deleted ones go at `nbtrail gc`. */
  lifecycle?: Lifecycle;
}

export type Lifecycle = 'active' | 'archived' | 'deleted';

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

/** `GET runs`: one page in the asked order. */
export interface RunsPage {
  runs: Run[];
  /** What asks for the next page: the `before` cursor (time), the `offset` (other sorts). */
  next: string | number | null;
  revision: number;
  /** How many runs the query matches in all (the workspace's pager). */
  total?: number;
}

/** `GET runs/columns`: the keys present among the runs a filter matches. */
export interface ColumnKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

export type GroupBy = 'batch' | 'notebook' | 'name';

/** `GET runs/groups`: runs sharing a batch, notebook or name. */
export interface RunGroup {
  key: string | null;
  count: number;
  /** The newest run's start (epoch seconds). */
  latest: number;
  /** A batch's kind: sweep, rerun, rerun-set. */
  kind: string | null;
  /** A re-run batch's verdict. */
  verdict: string | null;
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

/** One cell of a re-run's per-cell report (`nbtrail.reproduce.compare.CellReport`). */
export interface CellReport {
  name: string;
  cell_id: string | null;
  original: string | null;
  rerun: string | null;
  matched_by: string;
  /** same, within tolerance, diverged, failed, missing, new */
  outcome: string;
  error: string | null;
}

export interface ReproductionReport {
  run: string;
  batch: string;
  notebook: string;
  verdict: string;
  summary: string;
  cells: CellReport[];
  first_divergent: number | null;
  error: string | null;
}

export interface BatchItem {
  index: number;
  params: { [key: string]: JsonValue };
  status: string;
  error: string | null;
}

/** `GET batches/{id}`. */
export interface BatchDetail {
  batch: {
    id: string;
    kind: string;
    notebook: string;
    created: number;
    status: string;
    items: BatchItem[];
  };
  reproduction: { verdict: string; run: string; report: ReproductionReport } | null;
}

/** `GET models`: one row per registered model. */
export interface ModelSummary {
  name: string;
  versions: number;
  latest: number;
  /** alias -> version */
  aliases: { [alias: string]: number };
}

export interface TrainingData {
  name: string;
  kind: string;
  hash: string | null;
  summary: { [key: string]: JsonValue };
}

export interface ModelVersion {
  name: string;
  version: number;
  run: string;
  binding: string;
  model_hash: string | null;
  class_name: string;
  created: number;
  description: string;
  uri: string;
  lineage: {
    params?: { [key: string]: JsonValue };
    metrics?: { [key: string]: MetricValue };
    training_data?: TrainingData[];
    run_name?: string;
    notebook?: string | null;
  };
}

export interface GateResult {
  gate: string;
  passed: boolean;
  detail: string;
}

/** One move of an alias. */
export interface AliasEvent {
  name: string;
  alias: string;
  version: number;
  previous: number | null;
  time: number;
  who: string;
  gates: GateResult[];
  forced: boolean;
}

/** One day of a served version's traffic (`GET monitoring/{name}/{version}`). */
export interface TrafficDay {
  day: string;
  requests: number;
  errors: number;
  p50_ms: number | null;
  /** That day's rows against the training profile; null when drift could not be computed. */
  drifted?: boolean | null;
  drifted_columns?: string[];
}

/** A served version: traffic per day, drift over the window, label metrics per day. */
export interface MonitoringOverview {
  version: string;
  traffic: TrafficDay[];
  drift: { drifted: boolean; columns: { name: string; drifted: boolean; method: string }[] } | null;
  drift_error: string | null;
  labels: { day: string; metric: string; value: number; rows: number; training?: number | null }[];
}

/** `GET models/{name}`. */
export interface ModelDetail {
  name: string;
  versions: ModelVersion[];
  aliases: { [alias: string]: AliasEvent };
}
