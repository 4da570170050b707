import {
  formatDuration,
  formatMetric,
  latestMetrics,
  relativeTime,
  shortHash
} from '../src/format';
import { makeRun } from './fakes';

describe('format', () => {
  const now = 1_700_000_000_000;

  it('says how long ago', () => {
    expect(relativeTime(now / 1000 - 1, now)).toBe('just now');
    expect(relativeTime(now / 1000 - 30, now)).toBe('30 s ago');
    expect(relativeTime(now / 1000 - 300, now)).toBe('5 min ago');
    expect(relativeTime(now / 1000 - 7200, now)).toBe('2 h ago');
    expect(relativeTime(now / 1000 - 3 * 86400, now)).toBe('3 d ago');
    expect(relativeTime(0, now)).toBe('1970-01-01');
  });

  it('formats durations', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(0.123)).toBe('0.12 s');
    expect(formatDuration(3.46)).toBe('3.5 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(3720)).toBe('1 h 2 min');
  });

  it('formats metrics, including the non-finite strings', () => {
    expect(formatMetric(0.93)).toBe('0.93');
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatMetric(12)).toBe('12');
    expect(formatMetric(1e-7)).toBe('1.000e-7');
    expect(formatMetric('NaN')).toBe('NaN');
    expect(formatMetric(null)).toBe('NaN');
  });

  it('takes the last step of each metric', () => {
    const run = makeRun(1, {
      metrics: [
        { key: 'loss', value: 3, step: 0, time: 1 },
        { key: 'loss', value: 1, step: 2, time: 2 },
        { key: 'loss', value: 2, step: 1, time: 3 },
        { key: 'acc', value: 0.9, step: null, time: 1 }
      ]
    });
    expect([...latestMetrics(run)]).toEqual([
      ['loss', 1],
      ['acc', 0.9]
    ]);
  });

  it('shortens hashes', () => {
    expect(shortHash('0123456789abcdef')).toBe('01234567');
    expect(shortHash(null)).toBe('–');
  });
});
