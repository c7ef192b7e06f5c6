import { describe, expect, it } from 'vitest';
import { env, loadSettings, SettingsError, settingsSchema, withChecks } from './settings.js';

const schema = withChecks(
  settingsSchema({
    port: env.integer('PORT', 3000, { min: 1, max: 65535 }),
    mode: env.oneOf('MODE', ['a', 'b'], 'a'),
    hosts: env.list('HOSTS'),
    lowMs: env.integer('LOW_MS', 10),
    highMs: env.integer('HIGH_MS', 20),
  }),
  [
    {
      reads: ['lowMs', 'highMs'],
      problem: ({ lowMs, highMs }) => (lowMs < highMs ? undefined : 'LOW_MS must be below HIGH_MS'),
    },
  ],
);

function problems(environment: Record<string, string>): string {
  try {
    loadSettings(schema, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as Error).message;
  }
  throw new Error('expected the settings to be refused');
}

describe('settings schemas', () => {
  it('reads each field from its variable, trimmed, with defaults for the unset and the empty', () => {
    const settings = loadSettings(schema, { HOSTS: ' a:1, b:2 ,', MODE: '  ', PORT: ' 80 ' });
    expect(settings).toEqual({ port: 80, mode: 'a', hosts: ['a:1', 'b:2'], lowMs: 10, highMs: 20 });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('names every bad variable at once, a check across settings among them', () => {
    const message = problems({ PORT: '0x10', MODE: 'c', LOW_MS: '30' });
    expect(message).toContain('PORT must be an integer from 1 to 65535; got "0x10"');
    expect(message).toContain('MODE must be one of a, b; got "c"');
    expect(message).toContain('HOSTS is required');
    expect(message).toContain('LOW_MS must be below HIGH_MS');
  });

  it('runs a check across settings only when the settings it reads are valid', () => {
    expect(problems({ HOSTS: 'a:1', LOW_MS: 'soon' })).not.toContain('below');
  });
});
