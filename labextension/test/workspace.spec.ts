import { WorkspaceModel } from '../src/workspace/model';
import { FakeApi, makeRun } from './fakes';

function metric(key: string, value: number, step: number | null = null) {
  return { key, value, step, time: 0 };
}

describe('WorkspaceModel', () => {
  let api: FakeApi;
  let model: WorkspaceModel;

  beforeEach(() => {
    api = new FakeApi();
    model = new WorkspaceModel(api);
  });

  it('pages on the server by offset and knows the total', async () => {
    for (let n = 1; n <= 120; n++) {
      api.add(makeRun(n));
    }
    await model.reload();
    expect(model.total).toBe(120);
    expect(model.runs).toHaveLength(50);
    expect(model.pageCount).toBe(3);
    await model.goToPage(2);
    expect(api.queries[api.queries.length - 1]).toMatchObject({ offset: 100, limit: 50 });
    expect(model.runs.map(r => r.name)).toEqual(
      Array.from({ length: 20 }, (_, i) => `run ${20 - i}`)
    );
    await model.goToPage(99);
    expect(model.page).toBe(2);
    await model.setPageSize(100);
    expect(model.offset).toBe(0);
    expect(model.runs).toHaveLength(100);
  });

  it('sorts by any column on the server, a second click flipping the order', async () => {
    await model.reload();
    await model.sortBy('metrics.acc');
    expect(api.queries[api.queries.length - 1]).toMatchObject({
      sort: 'metrics.acc',
      order: 'desc'
    });
    await model.sortBy('metrics.acc');
    expect(api.queries[api.queries.length - 1]).toMatchObject({
      sort: 'metrics.acc',
      order: 'asc'
    });
    await model.sortBy('params.lr');
    expect(api.queries[api.queries.length - 1]).toMatchObject({ sort: 'params.lr', order: 'desc' });
    await model.sortBy('attributes.started');
    expect(api.queries[api.queries.length - 1].sort).toBeUndefined();
    await model.sortBy('attributes.started');
    expect(api.queries[api.queries.length - 1]).toMatchObject({
      sort: 'attributes.started',
      order: 'asc'
    });
  });

  it("shows the server's message for a filter it cannot parse, and clears it", async () => {
    api.add(makeRun(1));
    await model.setFilter('bad');
    expect(model.filterError).toBe("filter: expected a value at position 4: 'bad'");
    expect(model.runs).toEqual([]);
    await model.setFilter('run');
    expect(model.filterError).toBeNull();
    expect(model.runs).toHaveLength(1);
  });

  it('shows the first metrics and params as columns until the user chooses', async () => {
    api.add(
      makeRun(1, {
        metrics: [metric('acc', 0.9)],
        params: [{ key: 'lr', value: 0.1, origin: 'api' }]
      })
    );
    api.add(makeRun(2, { tags: { stage: 'x' } }));
    await model.reload();
    expect(model.columnKeys.tags).toEqual(['stage']);
    expect(model.visibleColumns).toEqual(['metrics.acc', 'params.lr']);
    model.toggleColumn('tags.stage');
    model.toggleColumn('metrics.acc');
    expect(model.visibleColumns).toEqual(['params.lr', 'tags.stage']);
  });

  it('groups by batch, opens a group and narrows the table to it', async () => {
    api.add(makeRun(1, { batch: 'sweep1' }));
    api.add(makeRun(2, { batch: 'sweep1' }));
    api.add(makeRun(3));
    await model.reload();
    await model.setGroupBy('batch');
    expect(model.groups.map(g => [g.key, g.count])).toEqual([
      [null, 1],
      ['sweep1', 2]
    ]);
    await model.toggleGroup('sweep1');
    expect(api.queries[api.queries.length - 1].filter).toBe("batch = 'sweep1'");
    await model.toggleGroup(null);
    expect(api.queries[api.queries.length - 1].filter).toBe('batch IS NULL');
    expect([...model.expanded.values()].map(g => g.runs.length)).toEqual([2, 1]);
    await model.chartGroup('sweep1');
    expect(model.tab).toBe('charts');
    expect(model.selected).toEqual([makeRun(2).id, makeRun(1).id]);
    expect(model.selection.map(r => r.name)).toEqual(['run 2', 'run 1']);
    await model.setTab('runs');
    await model.setFilter('run');
    await model.showGroup('sweep1');
    expect(model.groupBy).toBeNull();
    expect(model.filter).toBe("(run) AND batch = 'sweep1'");
    expect(model.runs.map(r => r.name)).toEqual(['run 2', 'run 1']);
  });

  it('keeps the selection across pages and loads the full records', async () => {
    for (let n = 1; n <= 60; n++) {
      api.add(makeRun(n));
    }
    await model.reload();
    model.toggleSelected(model.runs[0]);
    await model.goToPage(1);
    model.toggleSelected(model.runs[0]);
    model.toggleSelected(model.runs[1]);
    expect(model.selected).toHaveLength(3);
    await model.setTab('compare');
    expect(model.selection.map(r => r.name)).toEqual(['run 60', 'run 10', 'run 9']);
    model.setBaseline(model.selection[2].id);
    expect(model.baselineIndex).toBe(2);
    model.flipDirection('loss');
    expect(model.directions).toEqual({ loss: 'higher' });
  });

  it('polls the running cells every time and the page only when the store changed', async () => {
    api.add(makeRun(1));
    await model.reload();
    const listed = api.queries.length;
    api.runningRuns = [makeRun(9, { status: 'running' })];
    await model.checkForChanges();
    expect(model.running.map(r => r.status)).toEqual(['running']);
    const afterFirst = api.queries.length;
    expect(afterFirst).toBe(listed); // same revision as the page: no refetch
    api.add(makeRun(2));
    expect(await model.checkForChanges()).toBe(true);
    expect(model.runs).toHaveLength(2);
  });

  it('lists models and opens the first with its alias history, oldest first', async () => {
    api.modelList = [{ name: 'iris', versions: 2, latest: 2, aliases: { production: 1 } }];
    api.modelDetails.iris = { name: 'iris', versions: [], aliases: {} };
    const event = {
      name: 'iris',
      alias: 'production',
      previous: null,
      who: 'me',
      gates: [],
      forced: false
    };
    api.aliasEvents = [
      { ...event, version: 2, time: 20 },
      { ...event, version: 1, time: 10 }
    ];
    await model.setTab('models');
    expect(model.models.open).toBe('iris');
    expect(model.models.history.map(e => e.version)).toEqual([1, 2]);
  });
});
