import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the workspace packages from source, as `tsx --conditions=@chat/source` does.
    alias: {
      '@chat/client': source('./packages/client/src/index.ts'),
      // Before the package itself, whose alias would otherwise take its subpath too.
      '@chat/contracts/fixtures': source('./packages/contracts/src/fixtures.ts'),
      '@chat/contracts': source('./packages/contracts/src/index.ts'),
      '@chat/event-bus': source('./packages/event-bus/src/index.ts'),
      '@chat/runtime': source('./packages/runtime/src/index.ts'),
      '@chat/storage': source('./packages/storage/src/index.ts'),
      '@chat/stack': source('./tools/stack/src/index.ts'),
      '@chat/harness': source('./tools/harness/src/index.ts'),
      '@chat/testkit': source('./tools/testkit/src/index.ts'),
    },
  },
  test: {
    // Two cores, and integration files each start real processes: one file at a time keeps timings sane.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{apps,packages,tools}/*/src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{apps,packages,tools}/*/test/**/*.test.ts'],
          globalSetup: ['./tools/testkit/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
