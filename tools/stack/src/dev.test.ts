import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chooseJwt, devAppSettings } from './dev.js';

describe('chooseJwt (npm start)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'dev-jwt-'));
  afterEach(() => rmSync(join(stateDir, 'dev-jwt-secret'), { force: true }));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("keeps the user's JWT_SECRET or JWT_PUBLIC_KEY and mints no demo tokens", () => {
    expect(chooseJwt({ JWT_SECRET: 'mine' }, stateDir)).toEqual({ env: {} });
    expect(chooseJwt({ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }, stateDir)).toEqual({ env: {} });
  });

  it('uses its own development secret, the same across restarts, when none is set', () => {
    const first = chooseJwt({ JWT_SECRET: ' ' }, stateDir);
    expect(first.devSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(first.env).toEqual({ JWT_SECRET: first.devSecret });
    expect(chooseJwt({}, stateDir).devSecret).toBe(first.devSecret);
  });
});

describe('devAppSettings (what npm start sets, and pnpm bench starts ours with)', () => {
  it('runs the apps in development with a 6 s session timeout, unless the environment sets one', () => {
    expect(devAppSettings({})).toEqual({ NODE_ENV: 'development', KAFKA_SESSION_TIMEOUT_MS: '6000' });
    expect(devAppSettings({ KAFKA_SESSION_TIMEOUT_MS: '10000' }).KAFKA_SESSION_TIMEOUT_MS).toBe('10000');
  });
});
