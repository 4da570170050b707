/**
 * The nbtrail JupyterLab plugin: a "Runs" panel in the left sidebar that
 * follows the active notebook and can jump back to the cell a run came from,
 * and the main-area runs workspace (`nbtrail:open-runs`) for tables, charts,
 * compare N and models.
 */

import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { ServerRunsApi } from './api';
import { runsIcon } from './icon';
import { RunsModel } from './model';
import { PANEL_ID, RunsPanel } from './panel';
import { WorkspaceModel } from './workspace/model';
import { RunsWorkspace, WORKSPACE_ID } from './workspace/widget';

export const OPEN_RUNS = 'nbtrail:open-runs';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'nbtrail:runs',
  description: 'Lists, compares and re-runs the runs nbtrail records; the runs workspace.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ILayoutRestorer, ICommandPalette, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    rendermime: IRenderMimeRegistry | null
  ) => {
    const api = new ServerRunsApi();
    const model = new RunsModel(api);
    const panel = new RunsPanel(model, {
      goToCell: (path, cellId) => goToCell(app, notebooks, path, cellId),
      loadObject: (hash, run) => api.object(hash, run),
      openWorkspace: () => void app.commands.execute(OPEN_RUNS)
    });
    panel.title.label = '';
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, PANEL_ID);

    const tracker = new WidgetTracker<MainAreaWidget<RunsWorkspace>>({ namespace: 'nbtrail' });
    const openRun = (id: string) => {
      app.shell.activateById(PANEL_ID);
      void model.openDetail(id);
    };
    const workspace = async (runs?: string[]): Promise<MainAreaWidget<RunsWorkspace>> => {
      let widget = tracker.currentWidget;
      if (!widget || widget.isDisposed) {
        const content = new RunsWorkspace(new WorkspaceModel(api), {
          openRun,
          loadObject: (hash, run) => api.object(hash, run),
          rendermime
        });
        widget = new MainAreaWidget({ content });
        widget.toolbar.hide(); // the workspace has its own tabs and controls
        widget.id = WORKSPACE_ID;
        widget.title.label = 'Runs';
        widget.title.icon = runsIcon;
        widget.title.closable = true;
        void tracker.add(widget);
        app.shell.add(widget, 'main');
        void content.model.reload();
      }
      app.shell.activateById(widget.id);
      if (runs) {
        await widget.content.model.select(runs);
        await widget.content.model.setTab('compare');
      }
      return widget;
    };
    app.commands.addCommand(OPEN_RUNS, {
      label: 'Open runs',
      caption: 'The runs workspace: table, charts, compare and models',
      icon: runsIcon,
      execute: async args => {
        const runs = Array.isArray(args?.runs) ? (args.runs as string[]) : undefined;
        await workspace(runs);
      }
    });
    palette?.addItem({ command: OPEN_RUNS, category: 'nbtrail' });
    void restorer?.restore(tracker, { command: OPEN_RUNS, name: () => 'runs' });
    model.compareMany.connect((_, ids) => void app.commands.execute(OPEN_RUNS, { runs: ids }));

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
