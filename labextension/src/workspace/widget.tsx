/**
 * The main-area Runs workspace (`nbtrail:open-runs`): tabs for the runs table,
 * charts of the selection, compare N and the model registry. It renders the
 * `WorkspaceModel` and keeps it live with the same cheap revision poll as the
 * sidebar, plus the runs executing now.
 */

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

import { LiveWidget } from '../live';
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

export class RunsWorkspace extends LiveWidget<WorkspaceModel> {
  constructor(
    model: WorkspaceModel,
    private readonly actions: WorkspaceActions
  ) {
    super(model, POLL_MS, 'nbtrail:workspace');
    this.id = 'nbtrail-workspace-content';
    this.addClass('nbtrail-workspace');
    this.title.icon = runsIcon;
    this.title.label = 'Runs';
    this.title.caption = 'Runs workspace (nbtrail)';
    this.title.closable = true;
  }

  protected view(): JSX.Element {
    return <WorkspaceView model={this.model} actions={this.actions} />;
  }
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
