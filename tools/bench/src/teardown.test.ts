import { describe, expect, it } from 'vitest';
import { Teardown } from './teardown.js';

describe('Teardown', () => {
  it('stops everything newest first, each once, including what is registered while it runs', async () => {
    const teardown = new Teardown();
    const stopped: string[] = [];
    teardown.add('stack', async () => {
      stopped.push('stack');
    });
    const stopDatabase = teardown.add('database', async () => {
      stopped.push('database');
    });
    teardown.add('target', async () => {
      stopped.push('target');
      teardown.add('late', async () => {
        stopped.push('late');
      });
    });
    await stopDatabase();
    await teardown.runAll();
    await stopDatabase();
    await teardown.runAll();
    expect(stopped).toEqual(['database', 'target', 'late', 'stack']);
  });

  it('goes on after a step that fails', async () => {
    const teardown = new Teardown();
    const stopped: string[] = [];
    teardown.add('stack', async () => {
      stopped.push('stack');
    });
    teardown.add('target', async () => {
      throw new Error('already gone');
    });
    await teardown.runAll();
    expect(stopped).toEqual(['stack']);
  });
});
