import { devAppSettings } from '@chat/stack';
import { describe, expect, it } from 'vitest';
import { Goals } from './goals.js';
import {
  ladderForOurs,
  makePlan,
  oursSettings,
  RELAY_TOP_RATE,
  SHIPPED_SEND_RATE_PER_USER,
  sendsPerUser,
} from './plan.js';

describe('makePlan', () => {
  const full = makePlan('full', 20_000);

  it('measures what issue 18 asks: 1,000 sockets, a minute of warm-up under load, 20 s steps with a drain', () => {
    expect(full.pairs * 2).toBeGreaterThanOrEqual(1000);
    expect(full.warmUp.durationMs).toBeGreaterThanOrEqual(60_000);
    expect(full.warmUp.rate).toBe(Goals.lightLoad.rate);
    expect(full.stepMs).toBeGreaterThanOrEqual(20_000);
    expect(full.drainMs).toBeGreaterThanOrEqual(15_000);
    expect(full.sweepTargets).toEqual(['relay', 'ours']);
    expect(full.persisters).toBe(1);
  });

  it('climbs a ladder through every rate a goal names, up to the relay cap and half of it', () => {
    expect(full.rates).toEqual([320, 400, 800, 1600, 3200, 4000, 8000]);
    for (const rate of [...Goals.cost.rates, Goals.lightLoad.rate, RELAY_TOP_RATE / 2, RELAY_TOP_RATE])
      expect(full.rates).toContain(rate);
    expect(makePlan('quick', 20_000).rates).toEqual(full.rates);
  });

  it('keeps every user at most at half the gateway’s per-user send limit, at the top rate', () => {
    expect(sendsPerUser(RELAY_TOP_RATE, full.pairs)).toBe(8);
    expect(sendsPerUser(Math.max(...full.rates), full.pairs)).toBeLessThanOrEqual(
      SHIPPED_SEND_RATE_PER_USER / 2,
    );
  });

  it('is shorter with --quick', () => {
    const quick = makePlan('quick', 20_000);
    expect(quick.stepMs).toBeLessThan(full.stepMs);
    expect(quick.warmUp.durationMs).toBeLessThan(full.warmUp.durationMs);
  });
});

describe('ladderForOurs', () => {
  const rates = makePlan('full', 20_000).rates;

  it('is the whole ladder when the relay passed its top step, or when there is no relay figure', () => {
    expect(ladderForOurs(rates, 8000)).toEqual(rates);
    expect(ladderForOurs(rates, null)).toEqual(rates);
  });

  it('stops at what the relay passed, and adds half of it', () => {
    expect(ladderForOurs(rates, 4000)).toEqual([320, 400, 800, 1600, 2000, 3200, 4000]);
    expect(ladderForOurs(rates, 1600)).toEqual([320, 400, 800, 1600]);
  });

  it('keeps every rate a goal names, even above a weak relay', () => {
    expect(ladderForOurs(rates, 320)).toEqual([160, 320, 400, 800]);
  });
});

describe('oursSettings', () => {
  it("are npm start's settings, with the apps' defaults where the test system would set its own", () => {
    expect(oursSettings()).toEqual({ ...devAppSettings({}), LOG_LEVEL: 'info', KAFKA_PARTITIONS: '6' });
    expect(Object.keys(oursSettings()).filter((name) => name.includes('RATE'))).toEqual([]);
  });
});
