import { summaryLines } from '../src/format';
import { both, equals, quote } from '../src/filter';
import {
  normalize,
  parallelChart,
  scatterChart,
  stepChart,
  varyingParams
} from '../src/workspace/charts';
import { cellText, column, defaultVisible, parseColumn } from '../src/workspace/columns';
import {
  compareMetrics,
  compareParams,
  formatDelta,
  guessDirection
} from '../src/workspace/compare';
import { Run } from '../src/types';
import { makeRun } from './fakes';

function run(
  n: number,
  params: Record<string, number | string>,
  metrics: Record<string, number[]>
): Run {
  return makeRun(n, {
    params: Object.entries(params).map(([key, value]) => ({ key, value, origin: 'api' })),
    metrics: Object.entries(metrics).flatMap(([key, values]) =>
      values.map((value, step) => ({ key, value, step, time: step }))
    )
  });
}

describe('filter pieces', () => {
  it('quotes values and joins conditions', () => {
    expect(quote("it's")).toBe("'it''s'");
    expect(equals('batch', 'b1')).toBe("batch = 'b1'");
    expect(equals('batch', null)).toBe('batch IS NULL');
    expect(both('', "name = 'x'")).toBe("name = 'x'");
    expect(both('a OR b', "name = 'x'")).toBe("(a OR b) AND name = 'x'");
  });
});

describe('columns', () => {
  it('parses ids the server sorts by and renders cells as text', () => {
    expect(parseColumn('metrics.val.acc')).toMatchObject({ kind: 'metric', key: 'val.acc' });
    expect(parseColumn('tags.stage')).toMatchObject({ kind: 'tag', sortable: false });
    expect(parseColumn('nonsense')).toBeNull();
    const r = run(1, { lr: 0.05 }, { loss: [3, 2, 1] });
    expect(cellText({ ...r, tags: { stage: 'x' } }, column('tag', 'stage'))).toBe('x');
    expect(cellText(r, column('metric', 'loss'))).toBe('1');
    expect(cellText(r, column('param', 'lr'))).toBe('0.05');
    expect(cellText(r, column('param', 'missing'))).toBe('');
    const many = Array.from({ length: 9 }, (_, i) => `m${i}`);
    expect(defaultVisible({ metrics: many, params: ['p'], tags: ['t'] })).toHaveLength(7);
  });
});

describe('compare N', () => {
  const runs = [
    run(1, { lr: 0.1 }, { acc: [0.8], loss: [0.5] }),
    run(2, { lr: 0.2 }, { acc: [0.9], loss: [0.7] }),
    run(3, { lr: 0.1 }, { acc: [0.8] })
  ];

  it('marks each metric better or worse against the baseline', () => {
    const rows = compareMetrics(runs, 0);
    const acc = rows.find(r => r.key === 'acc')!;
    expect(acc.cells.map(c => c.mark)).toEqual(['baseline', 'better', 'same']);
    expect(acc.cells[1].delta).toBe('+0.1');
    const loss = rows.find(r => r.key === 'loss')!;
    expect(loss.cells.map(c => c.mark)).toEqual(['baseline', 'worse', null]);
    expect(loss.cells[2].text).toBe('–');
    const flipped = compareMetrics(runs, 0, { loss: 'higher' });
    expect(flipped.find(r => r.key === 'loss')!.cells[1].mark).toBe('better');
    const fromSecond = compareMetrics(runs, 1);
    expect(fromSecond.find(r => r.key === 'acc')!.cells.map(c => c.mark)).toEqual([
      'worse',
      'baseline',
      'worse'
    ]);
  });

  it('marks params that differ from the baseline', () => {
    const [lr] = compareParams(runs, 0);
    expect(lr.changed).toBe(true);
    expect(lr.cells.map(c => c.mark)).toEqual(['baseline', null, 'same']);
  });

  it('guesses directions and signs deltas', () => {
    expect(guessDirection('val_loss')).toBe('lower');
    expect(guessDirection('rmse')).toBe('lower');
    expect(guessDirection('accuracy')).toBe('higher');
    expect(formatDelta(-0.00015)).toBe('−1.500e-4');
    expect(formatDelta(0)).toBe('±0');
  });
});

describe('charts', () => {
  const runs = [
    run(1, { lr: 0.1, kind: 'a' }, { loss: [3, 2, 1] }),
    run(2, { lr: 0.3, kind: 'b' }, { loss: [4, 'NaN' as unknown as number] })
  ];

  it('overlays every step of a metric, one series per run, dropping non-numbers', () => {
    const spec = stepChart(runs, 'loss');
    const values = (spec.data as { values: Array<{ step: number; value: number }> }).values;
    expect(values.map(v => [v.step, v.value])).toEqual([
      [0, 3],
      [1, 2],
      [2, 1],
      [0, 4]
    ]);
    expect(spec.$schema).toContain('vega-lite/v5');
  });

  it('puts numeric and categorical params on 0..1 axes', () => {
    expect(normalize([1, 3, undefined, 2])).toEqual([0, 1, null, 0.5]);
    expect(normalize(['b', 'a', 'c'])).toEqual([0.5, 0, 1]);
    expect(normalize([7, 7])).toEqual([0.5, 0.5]);
    const finite = [runs[0], run(2, { lr: 0.3, kind: 'b' }, { loss: [4, 2] })];
    const spec = parallelChart(finite, ['lr', 'kind'], 'loss');
    const values = (spec.data as { values: Array<{ axis: string; position: number }> }).values;
    expect(values.filter(v => v.axis === 'lr').map(v => v.position)).toEqual([0, 1]);
    expect(values.filter(v => v.axis === 'kind').map(v => v.position)).toEqual([0, 1]);
    // A run whose metric is NaN has no line.
    const withNaN = parallelChart(runs, ['lr'], 'loss').data as { values: unknown[] };
    expect(withNaN.values).toHaveLength(2);
    expect(varyingParams([...runs, runs[0]], ['lr', 'kind'])).toEqual(['lr', 'kind']);
    expect(varyingParams([runs[0], runs[0]], ['lr'])).toEqual([]);
  });

  it('scatters a param against a metric, nominal when the param is text', () => {
    const numeric = scatterChart(runs, 'lr', 'loss') as { encoding: { x: { type: string } } };
    expect(numeric.encoding.x.type).toBe('quantitative');
    const text = scatterChart(runs, 'kind', 'loss') as { encoding: { x: { type: string } } };
    expect(text.encoding.x.type).toBe('nominal');
  });
});

describe('summary lines', () => {
  it('turns summaries into key/value lines, never raw JSON', () => {
    expect(
      summaryLines({
        type: 'pandas.DataFrame',
        shape: [150, 4],
        columns: [{ name: 'a' }, { name: 'b' }],
        params: { n_estimators: 100, max_depth: null },
        fitted: true
      })
    ).toEqual([
      ['type', 'pandas.DataFrame'],
      ['shape', '150 × 4'],
      ['columns', 'a, b'],
      ['params', 'n_estimators=100, max_depth=–'],
      ['fitted', 'yes']
    ]);
    const [[, long]] = summaryLines({ repr: 'x'.repeat(500) });
    expect(long.length).toBe(80);
  });
});
