/**
 * The "Runs" sidebar widget: renders the model and keeps it live by polling
 * the store's revision (cheap) while the panel is visible.
 */

import * as React from 'react';

import { CompareView } from './components/Compare';
import { DetailActions, RunDetailView } from './components/RunDetail';
import { ReportView } from './components/Rerun';
import { RunList } from './components/RunList';
import { LiveWidget } from './live';
import { runsIcon } from './icon';
import { RunsModel } from './model';

export const PANEL_ID = 'nbtrail-runs';
const POLL_MS = 1500;

export interface PanelActions extends DetailActions {
  /** Open (or reveal) the main-area runs workspace. */
  openWorkspace(): void;
}

export class RunsPanel extends LiveWidget<RunsModel> {
  constructor(
    model: RunsModel,
    private readonly actions: PanelActions
  ) {
    super(model, POLL_MS, 'nbtrail:runs');
    this.id = PANEL_ID;
    this.addClass('nbtrail-panel');
    this.title.icon = runsIcon;
    this.title.caption = 'Runs (nbtrail)';
  }

  protected view(): JSX.Element {
    return <RunsView model={this.model} actions={this.actions} />;
  }
}

function RunsView(props: { model: RunsModel; actions: PanelActions }): JSX.Element {
  const { model, actions } = props;
  switch (model.view.kind) {
    case 'detail':
      return <RunDetailView model={model} actions={actions} />;
    case 'compare':
      return <CompareView model={model} />;
    case 'report':
      return <ReportView model={model} />;
    default:
      return <RunList model={model} openWorkspace={actions.openWorkspace} />;
  }
}
