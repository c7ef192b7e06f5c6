import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { TestInfra } from './infra.js';

export type { TestInfra } from './infra.js';

export function testInfra(): TestInfra {
  return inject('infra');
}

/** A name no other test or run uses: topics, consumer groups and databases are never shared between tests. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
