import { randomUUID } from 'node:crypto';

/** A name no other test or run uses: topics, consumer groups and databases are never shared between tests. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
