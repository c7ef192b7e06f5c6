import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chooseJwt, devAppSettings, devApps, prettyLine } from './dev.js';

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
    expect(devAppSettings({})).toEqual({ NODE_ENV: 'development', KAFKA_SESSION_TIMEOUT_MS: '3000' });
    expect(devAppSettings({ KAFKA_SESSION_TIMEOUT_MS: '10000' }).KAFKA_SESSION_TIMEOUT_MS).toBe('10000');
  });
});

describe('devApps (npm start)', () => {
  it('adds the notifier when a webhook is set, and refuses a webhook without its secret', () => {
    expect(devApps({})).toEqual(['persister', 'gateway']);
    expect(devApps({ NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/hook', NOTIFY_WEBHOOK_SECRET: 's' })).toEqual([
      'persister',
      'gateway',
      'notifier',
    ]);
    expect(() => devApps({ NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/hook' })).toThrow(/NOTIFY_WEBHOOK_SECRET/);
  });
});

describe('prettyLine (npm start)', () => {
  it("shows an app's JSON log line to a person: time, level, app, message, then its fields", () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      pid: 42,
      hostname: 'vm',
      name: 'persister',
      port: 3001,
      msg: 'persister ready',
    });
    const shown = prettyLine('persister', line);
    expect(shown).toMatch(/^\[\d\d:\d\d:05\.006\] INFO \(persister\): persister ready\n {4}port: 3001\n$/);
    expect(shown).not.toContain('hostname');
  });

  it('shows a line that is not JSON as it is, named by its app', () => {
    expect(prettyLine('gateway', 'gateway failed to start: Error: boom')).toBe(
      '[gateway] gateway failed to start: Error: boom\n',
    );
  });
});
