/**
 * The Models view's state: registered models, one model's versions and the
 * aliases now, and every alias move (the history MLflow's stages lost).
 */

import type { WorkspaceApi } from '../api';
import { messageOf } from '../errors';
import { AliasEvent, ModelDetail, ModelSummary, MonitoringOverview } from '../types';

/** How far back the Models view looks at a served version's inference log. */
export const SERVED_WINDOW = '30d';

export class ModelsModel {
  constructor(
    private readonly api: WorkspaceApi,
    private readonly emit: () => void
  ) {}

  models: ModelSummary[] = [];
  /** The open model's name. */
  open: string | null = null;
  detail: ModelDetail | null = null;
  /** The open model's alias events, oldest first. */
  history: AliasEvent[] = [];
  error: string | null = null;
  loaded = false;

  async refresh(): Promise<void> {
    try {
      this.models = await this.api.models();
      this.error = null;
    } catch (error) {
      this.error = messageOf(error);
    }
    this.loaded = true;
    if (this.open === null && this.models.length > 0) {
      await this.select(this.models[0].name);
      return;
    }
    if (this.open !== null) {
      await this.select(this.open);
      return;
    }
    this.emit();
  }

  /** A served version's traffic per day, drift and label metrics (asked when opened). */
  served(name: string, version: number): Promise<MonitoringOverview> {
    return this.api.monitoring(name, version, SERVED_WINDOW);
  }

  async select(name: string): Promise<void> {
    this.open = name;
    this.emit();
    try {
      const [detail, history] = await Promise.all([
        this.api.model(name),
        this.api.aliasHistory(name)
      ]);
      if (this.open === name) {
        this.detail = detail;
        this.history = [...history].sort((a, b) => a.time - b.time);
        this.error = null;
      }
    } catch (error) {
      this.error = messageOf(error);
    }
    this.emit();
  }
}
