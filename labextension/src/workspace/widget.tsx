/**
 * The main-area Runs workspace (`nbtrail:open-runs`): tabs for the runs table,
 * charts of the selection, compare N and the model registry. It renders the
 * `WorkspaceModel` and keeps it live with the same cheap revision poll as the
 * sidebar, plus the runs executing now.
 */

import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Poll } from '@lumino/polling';
import * as React from 'react';

import { runsIcon } from '../icon';
import { ChartsView } from './components/Charts';
import { CompareRuns } from './components/CompareRuns';
import { ModelsView } from './components/ModelsView';
import { RunsTab } from './components/RunsTab';
import { Tab, WorkspaceModel } from './model';

export const WORKSPACE_ID = 'nbtrail-workspace';
const POLL_MS = 2000;

/** What the workspace asks of the rest of JupyterLab. */
export interface WorkspaceActions {
  /** Show a run's detail (the sidebar's view of one run). */
  openRun(id: string): void;
  loadObject(hash: string, run: string): Promise<Blob>;
  rendermime: IRenderMimeRegistry | null;
}

export class RunsWorkspace extends ReactWidget {
  constructor(
    readonly model: WorkspaceModel,
    private readonly actions: WorkspaceActions
  ) {
    super();
    this.id = 'nbtrail-workspace-content';
    this.addClass('nbtrail-workspace');
    this.title.icon = runsIcon;
    this.title.label = 'Runs';
    this.title.caption = 'Runs workspace (nbtrail)';
    this.title.closable = true;
    this._poll = new Poll({
      factory: async () => {
        await this.model.checkForChanges();
      },
      frequency: { interval: POLL_MS, backoff: true, max: 30 * 1000 },
      standby: () => (this.isVisible ? 'when-hidden' : true),
      name: 'nbtrail:workspace'
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
        {() => <WorkspaceView model={this.model} actions={this.actions} />}
      </UseSignal>
    );
  }

  private readonly _poll: Poll;
}

const TABS: Array<[Tab, string]> = [
  ['runs', 'Runs'],
  ['charts', 'Charts'],
  ['compare', 'Compare'],
  ['models', 'Models']
];

function WorkspaceView(props: { model: WorkspaceModel; actions: WorkspaceActions }): JSX.Element {
  const { model, actions } = props;
  const count = model.selected.length;
  return (
    <div className="nbtrail-ws">
      <div className="nbtrail-ws-tabs" role="tablist" aria-label="Workspace views">
        {TABS.map(([tab, label]) => (
          <button
            key={tab}
            role="tab"
            aria-selected={model.tab === tab}
            className={`nbtrail-ws-tab${model.tab === tab ? ' jp-mod-current' : ''}`}
            onClick={() => void model.setTab(tab)}
          >
            {label}
            {(tab === 'charts' || tab === 'compare') && count > 0 && (
              <span className="nbtrail-count">{count}</span>
            )}
          </button>
        ))}
      </div>
      <div className="nbtrail-ws-body" role="tabpanel">
        {model.tab === 'runs' && <RunsTab model={model} openRun={actions.openRun} />}
        {model.tab === 'charts' && <ChartsView model={model} rendermime={actions.rendermime} />}
        {model.tab === 'compare' && <CompareRuns model={model} actions={actions} />}
        {model.tab === 'models' && <ModelsView models={model.models} openRun={actions.openRun} />}
      </div>
    </div>
  );
}
