import type { TestInfra } from '@chat/harness';

export type { TestInfra };

declare module 'vitest' {
  export interface ProvidedContext {
    infra: TestInfra;
    /** Why the global setup could not install the browser the browser tests drive, if it could not. */
    browserSetupProblem: string | undefined;
  }
}
