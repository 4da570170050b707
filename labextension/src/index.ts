/**
 * The nbtrail JupyterLab plugin: a "Runs" panel in the left sidebar that
 * follows the active notebook and can jump back to the cell a run came from.
 */

import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { ServerRunsApi } from './api';
import { RunsModel } from './model';
import { PANEL_ID, RunsPanel } from './panel';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'nbtrail:runs',
  description: 'Lists, compares and re-runs the runs nbtrail records.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    restorer: ILayoutRestorer | null
  ) => {
    const api = new ServerRunsApi();
    const model = new RunsModel(api);
    const panel = new RunsPanel(model, {
      goToCell: (path, cellId) => goToCell(app, notebooks, path, cellId),
      loadObject: (hash, run) => api.object(hash, run)
    });
    panel.title.label = '';
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, PANEL_ID);

    const follow = () => void model.setNotebook(notebooks.currentWidget?.context.path ?? null);
    notebooks.currentChanged.connect(follow);
    follow();
    void model.refresh();
  }
};

/** Open (or reveal) the notebook, then select and scroll to the cell with this id. */
async function goToCell(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
  path: string,
  cellId: string
): Promise<boolean> {
  let panel = notebooks.find(widget => widget.context.path === path) ?? null;
  if (!panel) {
    const opened = await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
    panel = opened instanceof NotebookPanel ? opened : null;
  }
  if (!panel) {
    return false;
  }
  await panel.context.ready;
  app.shell.activateById(panel.id);
  const notebook = panel.content;
  const index = notebook.widgets.findIndex(cell => cell.model.id === cellId);
  if (index < 0) {
    return false;
  }
  notebook.deselectAll();
  notebook.activeCellIndex = index;
  await notebook.scrollToItem(index, 'center');
  return true;
}

export default plugin;
