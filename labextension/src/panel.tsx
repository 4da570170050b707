/**
 * The "Runs" sidebar widget: renders the model and keeps it live by polling
 * the store's revision (cheap) while the panel is visible.
 */

import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { Poll } from '@lumino/polling';
import * as React from 'react';

import { CompareView } from './components/Compare';
import { DetailActions, RunDetailView } from './components/RunDetail';
import { ReportView } from './components/Rerun';
import { RunList } from './components/RunList';
import { runsIcon } from './icon';
import { RunsModel } from './model';

export const PANEL_ID = 'nbtrail-runs';
const POLL_MS = 1500;

export interface PanelActions extends DetailActions {
  /** Open (or reveal) the main-area runs workspace. */
  openWorkspace(): void;
}

export class RunsPanel extends ReactWidget {
  constructor(
    readonly model: RunsModel,
    private readonly actions: PanelActions
  ) {
    super();
    this.id = PANEL_ID;
    this.addClass('nbtrail-panel');
    this.title.icon = runsIcon;
    this.title.caption = 'Runs (nbtrail)';
    this._poll = new Poll({
      factory: async () => {
        await this.model.checkForChanges();
      },
      frequency: { interval: POLL_MS, backoff: true, max: 30 * 1000 },
      // 'when-hidden' pauses while the browser tab is hidden; visibility of the
      // panel itself is handled in onAfterShow/onAfterHide.
      standby: () => (this.isVisible ? 'when-hidden' : true),
      name: 'nbtrail:runs'
    });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    super.dispose();
  }

  protected onAfterShow(): void {
    void this._poll.refresh();
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => <RunsView model={this.model} actions={this.actions} />}
      </UseSignal>
    );
  }

  private readonly _poll: Poll;
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
