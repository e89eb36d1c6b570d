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
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
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
