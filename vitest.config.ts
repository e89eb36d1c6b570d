import { defineConfig } from 'vitest/config';

// Two projects, one command: `unit` is pure (no Docker, no network), `integration` talks to a
// real Docker engine and real servers and shares one global setup that ensures the engine and
// builds the test bed images once.
export default defineConfig({
  test: {
    // The JSON report feeds the one-line summary that scripts/test prints at the end.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          // The example repos' suites (some fail on purpose) run through `otto test` only.
          exclude: ['**/*.int.test.ts', '**/node_modules/**', 'test/fixtures/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          globalSetup: ['test/setup/integration-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
