import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.js';

const base = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/chat',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
};
const defaults = { gatewayId: 'g1', cursorSecret: 'random-per-process' };

describe('loadGatewayConfig', () => {
  it('applies defaults', () => {
    const config = loadGatewayConfig({ ...base, JWT_SECRET: 'dev' }, defaults);
    expect(config).toMatchObject({ port: 3000, nodeEnv: 'development', jwt: { algorithms: ['HS256'] } });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad variable at once', () => {
    let message = '';
    try {
      loadGatewayConfig({ SERVER_PORT: 'http', NODE_ENV: 'prod' }, defaults);
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of [
      'NODE_ENV',
      'SERVER_PORT',
      'MONGODB_URI',
      'KAFKA_BROKERS',
      'SCHEMA_REGISTRY_URL',
      'JWT_SECRET',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('refuses to start in production without a JWT key, or with a short secret', () => {
    expect(() => loadGatewayConfig({ ...base, NODE_ENV: 'production' }, defaults)).toThrowError(
      /JWT_SECRET or JWT_PUBLIC_KEY/,
    );
    expect(() =>
      loadGatewayConfig({ ...base, NODE_ENV: 'production', JWT_SECRET: 'short' }, defaults),
    ).toThrowError(/at least 32/);
  });

  it('pins asymmetric algorithms for a public key', () => {
    const config = loadGatewayConfig(
      { ...base, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nabc' },
      defaults,
    );
    expect(config.jwt).toEqual({ algorithms: ['RS256', 'ES256'], key: '-----BEGIN PUBLIC KEY-----\nabc' });
  });

  it('serves the demo page in development only, unless DEMO_PAGE says otherwise', () => {
    const secret = { ...base, JWT_SECRET: 'x'.repeat(32) };
    expect(loadGatewayConfig(secret, defaults).demoPage).toBe(true);
    expect(loadGatewayConfig({ ...secret, NODE_ENV: 'production' }, defaults).demoPage).toBe(false);
    expect(loadGatewayConfig({ ...secret, NODE_ENV: 'production', DEMO_PAGE: 'on' }, defaults).demoPage).toBe(
      true,
    );
    expect(loadGatewayConfig({ ...secret, DEMO_PAGE: 'off' }, defaults).demoPage).toBe(false);
  });

  it('reads the demo users as user=token pairs', () => {
    const config = loadGatewayConfig(
      { ...base, JWT_SECRET: 'dev', DEMO_TOKENS: 'alice=a.b.c, bob=d.e.f' },
      defaults,
    );
    expect(config.demoUsers).toEqual([
      { userId: 'alice', token: 'a.b.c' },
      { userId: 'bob', token: 'd.e.f' },
    ]);
    expect(() => loadGatewayConfig({ ...base, JWT_SECRET: 'dev', DEMO_TOKENS: 'alice' }, defaults)).toThrow(
      'DEMO_TOKENS',
    );
  });

  it('bounds request time, marker writes and floods by default, each a setting', () => {
    const config = loadGatewayConfig({ ...base, JWT_SECRET: 'dev' }, defaults);
    expect(config).toMatchObject({
      httpRequestTimeoutMs: 20_000,
      markerRatePerUser: 20,
      socketRefusalLimit: 100,
      floodCooldownMs: 10_000,
      metricsToken: undefined,
    });
    const set = loadGatewayConfig(
      {
        ...base,
        JWT_SECRET: 'dev',
        HTTP_REQUEST_TIMEOUT_MS: '10000',
        MARKER_RATE_PER_USER: '5',
        SOCKET_REFUSAL_LIMIT: '50',
        FLOOD_COOLDOWN_MS: '0',
        METRICS_TOKEN: 'a-token-of-16-chars',
      },
      defaults,
    );
    expect(set).toMatchObject({
      httpRequestTimeoutMs: 10_000,
      markerRatePerUser: 5,
      socketRefusalLimit: 50,
      floodCooldownMs: 0,
      metricsToken: 'a-token-of-16-chars',
    });
    expect(() => loadGatewayConfig({ ...base, JWT_SECRET: 'dev', METRICS_TOKEN: 'short' }, defaults)).toThrow(
      'METRICS_TOKEN',
    );
  });

  it('signs inbox cursors with CURSOR_SECRET, else with a key derived from JWT_SECRET, else a random one', () => {
    const secret = 'x'.repeat(32);
    expect(
      loadGatewayConfig({ ...base, JWT_SECRET: secret, CURSOR_SECRET: 'c'.repeat(32) }, defaults)
        .cursorSecret,
    ).toEqual({ value: 'c'.repeat(32), source: 'CURSOR_SECRET' });
    expect(loadGatewayConfig({ ...base, JWT_SECRET: secret }, defaults).cursorSecret.source).toBe(
      'JWT_SECRET',
    );
    expect(
      loadGatewayConfig({ ...base, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }, defaults).cursorSecret,
    ).toEqual({ value: defaults.cursorSecret, source: 'random' });
    expect(() =>
      loadGatewayConfig(
        { ...base, NODE_ENV: 'production', JWT_SECRET: secret, CURSOR_SECRET: 'short' },
        defaults,
      ),
    ).toThrow('CURSOR_SECRET');
  });
});
