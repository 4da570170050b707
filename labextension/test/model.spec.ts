import { ApiError } from '../src/errors';
import { RunsModel } from '../src/model';
import { FakeApi, makeRun } from './fakes';

function metric(key: string, value: number | string, step: number | null = null) {
  return { key, value, step, time: 0 };
}

describe('RunsModel', () => {
  let api: FakeApi;
  let model: RunsModel;

  beforeEach(() => {
    api = new FakeApi();
    model = new RunsModel(api, 2);
  });

  it('asks for a notebook in notebook scope and lists nothing without one', async () => {
    api.add(makeRun(1));
    await model.refresh();
    expect(model.needsNotebook).toBe(true);
    expect(model.runs).toEqual([]);
    expect(api.queries).toEqual([]);
  });

  it('follows the active notebook and switches to all notebooks', async () => {
    api.add(makeRun(1, { notebook: 'a.ipynb' }));
    api.add(makeRun(2, { notebook: 'b.ipynb' }));
    await model.setNotebook('a.ipynb');
    expect(model.runs.map(r => r.name)).toEqual(['run 1']);
    expect(api.queries[0].notebook).toBe('a.ipynb');
    await model.setScope('all');
    expect(model.runs.map(r => r.name)).toEqual(['run 2', 'run 1']);
    expect(api.queries[1].notebook).toBeUndefined();
    // A different notebook in "all" scope changes nothing that is listed.
    await model.setNotebook('b.ipynb');
    expect(api.queries).toHaveLength(2);
  });

  it('sends the filter text and pages with the cursor', async () => {
    for (let n = 1; n <= 5; n++) {
      api.add(makeRun(n));
    }
    await model.setScope('all');
    expect(model.runs.map(r => r.name)).toEqual(['run 5', 'run 4']);
    expect(model.next).toBe(model.runs[1].id);
    await model.loadMore();
    expect(model.runs.map(r => r.name)).toEqual(['run 5', 'run 4', 'run 3', 'run 2']);
    await model.loadMore();
    expect(model.runs).toHaveLength(5);
    expect(model.next).toBeNull();
    await model.setFilter('run 3');
    expect(api.queries[api.queries.length - 1].filter).toBe('run 3');
    expect(model.runs.map(r => r.name)).toEqual(['run 3']);
  });

  it('refetches only when the revision changes (live updates)', async () => {
    api.add(makeRun(1));
    await model.setScope('all');
    const listed = api.queries.length;
    expect(await model.checkForChanges()).toBe(false);
    expect(api.queries).toHaveLength(listed);
    api.add(makeRun(2));
    expect(await model.checkForChanges()).toBe(true);
    expect(model.runs.map(r => r.name)).toEqual(['run 2', 'run 1']);
  });

  it('keeps as many runs as are shown when a live update refetches', async () => {
    for (let n = 1; n <= 4; n++) {
      api.add(makeRun(n));
    }
    await model.setScope('all');
    await model.loadMore();
    api.add(makeRun(5));
    await model.checkForChanges();
    expect(api.queries[api.queries.length - 1].limit).toBe(4);
    expect(model.runs).toHaveLength(4);
  });

  it('drops a response overtaken by a newer request', async () => {
    api.add(makeRun(1, { name: 'alpha' }));
    api.add(makeRun(2, { name: 'beta' }));
    model.scope = 'all';
    let open = () => {};
    api.gate = new Promise<void>(resolve => (open = resolve));
    const slow = model.setFilter('alpha');
    api.gate = null;
    await model.setFilter('beta');
    open();
    await slow;
    expect(model.runs.map(r => r.name)).toEqual(['beta']);
  });

  it('sorts by a metric on the server, largest first, missing and NaN last', async () => {
    api.add(makeRun(1, { metrics: [metric('acc', 0.5)] }));
    api.add(makeRun(2, { metrics: [metric('loss', 1)] }));
    api.add(makeRun(3, { metrics: [metric('acc', 0.1, 0), metric('acc', 0.9, 1)] }));
    api.add(makeRun(4, { metrics: [metric('acc', 'NaN')] }));
    model = new RunsModel(api, 10);
    await model.setScope('all');
    expect(model.metricKeys).toEqual(['acc', 'loss']);
    await model.setSort('metrics.acc');
    expect(api.queries[api.queries.length - 1]).toMatchObject({
      sort: 'metrics.acc',
      order: 'desc',
      limit: 10
    });
    expect(api.queries[api.queries.length - 1].before).toBeUndefined();
    expect(model.visibleRuns.map(r => r.name)).toEqual(['run 3', 'run 1', 'run 4', 'run 2']);
    await model.setSort('metrics.acc', false);
    expect(api.queries[api.queries.length - 1].order).toBe('asc');
    expect(model.visibleRuns.map(r => r.name)).toEqual(['run 1', 'run 3', 'run 4', 'run 2']);
    await model.setSort('time');
    expect(api.queries[api.queries.length - 1].sort).toBeUndefined();
    expect(model.visibleRuns.map(r => r.name)).toEqual(['run 4', 'run 3', 'run 2', 'run 1']);
  });

  it('pages a metric sort by offset and keeps it through live updates', async () => {
    for (let n = 1; n <= 5; n++) {
      api.add(makeRun(n, { metrics: [metric('acc', n / 10)] }));
    }
    await model.setScope('all');
    await model.setSort('metrics.acc', false);
    expect(model.runs.map(r => r.name)).toEqual(['run 1', 'run 2']);
    expect(model.next).toBe(2);
    await model.loadMore();
    expect(api.queries[api.queries.length - 1]).toMatchObject({
      sort: 'metrics.acc',
      order: 'asc',
      offset: 2,
      limit: 2
    });
    expect(model.runs.map(r => r.name)).toEqual(['run 1', 'run 2', 'run 3', 'run 4']);
    // A new run with the lowest value appears at the top; the shown count is kept.
    api.add(makeRun(6, { metrics: [metric('acc', 0)] }));
    expect(await model.checkForChanges()).toBe(true);
    const last = api.queries[api.queries.length - 1];
    expect(last).toMatchObject({ sort: 'metrics.acc', order: 'asc', limit: 4 });
    expect(last.offset).toBeUndefined();
    expect(model.runs.map(r => r.name)).toEqual(['run 6', 'run 1', 'run 2', 'run 3']);
    expect(model.next).toBe(4);
    // A page that overlaps what is shown (runs arrived in between) adds no duplicates.
    api.add(makeRun(7, { metrics: [metric('acc', -1)] }));
    await model.loadMore();
    expect(model.runs.map(r => r.name)).toEqual(['run 6', 'run 1', 'run 2', 'run 3', 'run 4']);
  });

  it('keeps the sorted metric in the sort menu when no loaded run has it', async () => {
    api.add(makeRun(1, { metrics: [metric('loss', 1)] }));
    await model.setScope('all');
    await model.setSort('metrics.acc');
    await model.setFilter('nothing matches');
    expect(model.metricKeys).toEqual(['acc']);
  });

  it('keeps a third tick and sends three or more to the workspace', async () => {
    [1, 2, 3].forEach(n => api.add(makeRun(n)));
    await model.setScope('all');
    const [r1, r2, r3] = [1, 2, 3].map(n => makeRun(n).id);
    let many: string[] = [];
    model.compareMany.connect((_, ids) => (many = ids));
    model.toggleSelected(r3);
    model.toggleSelected(r1);
    model.toggleSelected(r2);
    expect(model.selected).toEqual([r3, r1, r2]);
    await model.openCompare();
    expect(many).toEqual([r3, r1, r2]);
    expect(model.view).toEqual({ kind: 'list' });
  });

  it('compares two ticked runs here, older first', async () => {
    [1, 2, 3].forEach(n => api.add(makeRun(n)));
    await model.setScope('all');
    const [r2, r3] = [2, 3].map(n => makeRun(n).id);
    model.toggleSelected(r3);
    model.toggleSelected(r2);
    expect(model.selected).toEqual([r3, r2]);
    await model.openCompare();
    expect(model.view).toEqual({ kind: 'compare', a: r2, b: r3 });
    expect(model.comparison?.a.run.id).toBe(r2);
    expect(model.comparison?.diff.metrics[0].key).toBe('acc');
  });

  it('opens a run, reports a missing one, and goes back', async () => {
    api.add(makeRun(1));
    await model.openDetail(makeRun(1).id);
    expect(model.detail?.run.name).toBe('run 1');
    await model.openDetail('ffff');
    expect(model.detail).toBeNull();
    expect(model.error).toBe('no run ffff');
    model.back();
    expect(model.view).toEqual({ kind: 'list' });
    expect(model.error).toBeNull();
  });

  it('shows a refused re-run as a failed job with the reason', async () => {
    api.add(makeRun(1));
    api.rerunError = new ApiError(409, 'the notebook x.ipynb does not exist any more');
    await model.rerun(makeRun(1).id);
    expect(model.job?.state).toBe('failed');
    expect(model.job?.error).toBe('the notebook x.ipynb does not exist any more');
    expect(model.jobActive).toBe(false);
  });

  it('follows a started re-run job until it ends', async () => {
    api.add(makeRun(1));
    await model.rerun(makeRun(1).id);
    expect(model.job?.state).toBe('queued');
    expect(model.jobActive).toBe(true);
    api.jobState = { state: 'running', progress: 0.5 };
    await model.checkForChanges();
    expect(model.job?.progress).toBe(0.5);
    api.jobState = { state: 'finished', progress: 1, verdict: 'reproduced' };
    await model.checkForChanges();
    expect(model.job?.verdict).toBe('reproduced');
    expect(model.jobActive).toBe(false);
  });

  it('tags, notes and archives a run, updating the list and the open detail', async () => {
    api.add(makeRun(1));
    api.add(makeRun(2));
    const id = makeRun(1).id;
    await model.setScope('all');
    await model.openDetail(id);
    await model.setTag(id, ' stage ', ' candidate ');
    await model.setTag(id, 'baseline', '');
    expect(model.detail?.run.tags).toEqual({ stage: 'candidate', baseline: '' });
    expect(model.runs.find(r => r.id === id)?.tags).toEqual({ stage: 'candidate', baseline: '' });
    await model.removeTag(id, 'baseline');
    expect(model.detail?.run.tags).toEqual({ stage: 'candidate' });
    await model.setNote(id, 'the good one');
    expect(model.detail?.run.note).toBe('the good one');
    await model.setLifecycle(id, 'archived');
    expect(model.detail?.run.lifecycle).toBe('archived');
    expect(model.runs.map(r => r.id)).not.toContain(id);
    await model.setTag('ffff', 'k', 'v');
    expect(model.error).toBe('no run ffff');
  });

  it("follows a re-run's cells as they are written, then its per-cell report", async () => {
    api.add(makeRun(1));
    await model.rerun(makeRun(1).id);
    api.add(makeRun(5, { batch: 'b1', name: 'cell a' }));
    api.jobState = { state: 'running', progress: 0.5 };
    await model.checkForChanges();
    expect(model.rerunning.runs.map(r => r.name)).toEqual(['cell a']);
    expect(model.rerunning.report).toBeNull();
    api.add(makeRun(6, { batch: 'b1', name: 'cell b' }));
    api.batchDetail = {
      batch: { id: 'b1', kind: 'rerun', notebook: 'n', created: 0, status: 'finished', items: [] },
      reproduction: {
        verdict: 'reproduced',
        run: makeRun(1).id,
        report: {
          run: makeRun(1).id,
          batch: 'b1',
          notebook: 'n',
          verdict: 'reproduced',
          summary: 'every cell reproduced',
          cells: [],
          first_divergent: null,
          error: null
        }
      }
    };
    api.jobState = { state: 'finished', progress: 1, verdict: 'reproduced' };
    await model.checkForChanges();
    expect(model.rerunning.runs.map(r => r.name)).toEqual(['cell a', 'cell b']);
    expect(model.rerunning.report?.summary).toBe('every cell reproduced');
    model.openReport(makeRun(1).id);
    expect(model.view).toEqual({ kind: 'report', id: makeRun(1).id });
  });

  it("shows this notebook's running cells on every poll", async () => {
    api.add(makeRun(1, { notebook: 'a.ipynb' }));
    await model.setNotebook('a.ipynb');
    api.runningRuns = [
      makeRun(2, { status: 'running', notebook: 'a.ipynb' }),
      makeRun(3, { status: 'running', notebook: 'b.ipynb' })
    ];
    expect(await model.checkForChanges()).toBe(false); // no saved run changed
    expect(model.running.map(r => r.name)).toEqual(['run 2']);
    await model.setScope('all');
    await model.checkForChanges();
    expect(model.running.map(r => r.name)).toEqual(['run 2', 'run 3']);
    api.runningRuns = [];
    await model.checkForChanges();
    expect(model.running).toEqual([]);
  });

  it('emits changed on every state change', async () => {
    let count = 0;
    model.changed.connect(() => count++);
    await model.setScope('all');
    expect(count).toBeGreaterThan(0);
  });
});
