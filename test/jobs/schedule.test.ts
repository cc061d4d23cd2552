import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkSchedule, scheduleRetrain } from '../../src/jobs/schedule.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('retrain schedule', () => {
  it('fires once at 03:00 UTC for "0 3 * * *" when the clock passes it', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-10T02:59:59Z') });
    const slots: string[] = [];
    const schedule = scheduleRetrain({
      expression: '0 3 * * *',
      timezone: 'UTC',
      fire: async (slot) => void slots.push(slot.toISOString()),
    });
    expect(schedule?.nextRun()?.toISOString()).toBe('2026-03-10T03:00:00.000Z');

    await vi.advanceTimersByTimeAsync(500);
    expect(slots).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(slots).toEqual(['2026-03-10T03:00:00.000Z']);
    await vi.advanceTimersByTimeAsync(60 * 60 * 1000);
    expect(slots).toHaveLength(1);
    await schedule?.stop();
  });

  it('reads the expression in the configured time zone', async () => {
    // 03:00 in Berlin in March (CET, UTC+1) is 02:00 UTC.
    vi.useFakeTimers({ now: new Date('2026-03-10T01:59:59Z') });
    const slots: string[] = [];
    const schedule = scheduleRetrain({
      expression: '0 3 * * *',
      timezone: 'Europe/Berlin',
      fire: async (slot) => void slots.push(slot.toISOString()),
    });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(slots).toEqual(['2026-03-10T02:00:00.000Z']);
    await schedule?.stop();
  });

  it('skips a fire while the previous scheduled run still runs', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-10T02:59:59Z') });
    let finish: () => void = () => undefined;
    let fires = 0;
    const schedule = scheduleRetrain({
      expression: '* * * * *',
      timezone: 'UTC',
      fire: () => {
        fires++;
        return new Promise<void>((resolve) => (finish = resolve));
      },
    });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fires).toBe(1);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(fires).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fires).toBe(2);
    finish();
    await schedule?.stop();
  });

  it('is off when the expression is empty', () => {
    const schedule = scheduleRetrain({ expression: ' ', timezone: 'UTC', fire: async () => 0 });
    expect(schedule).toBeUndefined();
  });

  it.each([
    ['a bad expression', '61 3 * * *', 'UTC', /PARLEY_RETRAIN_CRON/],
    ['a bad time zone', '0 3 * * *', 'Mars/Olympus', /PARLEY_RETRAIN_TZ/],
  ])('refuses %s with the variable named', (_label, expression, timezone, message) => {
    expect(() => checkSchedule(expression, timezone)).toThrow(message);
  });
});
