import { PrivateService, TestSystem, testInfra } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import {
  CHAOS_ENV,
  expectNothingLost,
  type FaultTimes,
  FROZEN_MS,
  freezeFor,
  killAndRestart,
  runFaultCase,
} from './load.js';

/**
 * Kafka and the schema registry faulted under the same steady load as chaos.test.ts, each on a private
 * process (the shared stack's are never touched). Slower to set up (a JVM each), so they run with
 * `pnpm test:chaos` (CHAT_CHAOS_INFRA=1) and not in every `npm test`.
 */
const enabled = process.env.CHAT_CHAOS_INFRA === '1';

describe.runIf(enabled).each([{ service: 'kafka' as const }, { service: 'registry' as const }])(
  '$service',
  ({ service }) => {
    let privateService: PrivateService;
    let system: TestSystem;

    beforeAll(async () => {
      privateService = await PrivateService.start(service);
      const infra = testInfra();
      system = new TestSystem(
        service === 'kafka'
          ? { ...infra, kafkaBrokers: privateService.kafkaBrokers }
          : { ...infra, schemaRegistryUrl: privateService.schemaRegistryUrl },
        CHAOS_ENV,
      );
      await system.startPersister();
      await Promise.all([system.startGateway(), system.startGateway()]);
    }, 180_000);
    // The next fault starts from a running service, however the last case ended.
    afterEach(() => privateService.restore());
    afterAll(async () => {
      await system?.stop();
      await privateService?.stop();
    });

    it.for<{ fault: string; inject: () => Promise<FaultTimes> }>([
      {
        fault: 'SIGKILL, restart',
        inject: () =>
          killAndRestart(
            () => privateService.kill(),
            () => privateService.restart(),
          ),
      },
      { fault: `SIGSTOP ${FROZEN_MS / 1000} s, SIGCONT`, inject: () => freezeFor(privateService) },
    ])(
      '$fault: loses, duplicates and skips nothing; every send is acked after retriable answers only',
      { timeout: 180_000 },
      async ({ fault, inject }, { annotate }) => {
        const result = await runFaultCase(system, `chaos-${service}`, inject);
        await annotate(`${service} | ${fault} | ${JSON.stringify(result)}`);
        expectNothingLost(result, { gatewaysAnswerEverySend: true });
      },
    );
  },
);
