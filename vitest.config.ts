import { defineConfig } from "vitest/config";

// No test is budgeted by wall clock: a 2-core machine shared with other jobs can run the suite several times slower
// than an idle one (npm start took 16 s idle and over 90 s loaded). These limits only stop a hung test, with a
// margin no load reaches; benchmarks (npm run bench) measure speed, tests never do.
const UNIT_HANG_LIMIT_MS = 5 * 60_000;
const INTEGRATION_HANG_LIMIT_MS = 20 * 60_000;

export default defineConfig({
  test: {
    // Quiet when green: what a test prints (the engine's log lines) is shown only for the tests that fail.
    silent: "passed-only",
    // Only tests slower than this are listed under their file, so a loaded run does not list most of them.
    slowTestThreshold: 30_000,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/support/setup-matchers.ts"],
          testTimeout: UNIT_HANG_LIMIT_MS,
          hookTimeout: UNIT_HANG_LIMIT_MS,
          // Powertools' dev mode logs through console.* (which the line above captures per test) instead of writing
          // to stdout directly, and emits no EMF documents; unit tests assert on addMetric, not on EMF text.
          env: { POWERTOOLS_DEV: "true" },
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/support/setup-matchers.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          // Every file shares the one moto of the run and resets it in beforeAll.
          fileParallelism: false,
          testTimeout: INTEGRATION_HANG_LIMIT_MS,
          hookTimeout: INTEGRATION_HANG_LIMIT_MS,
        },
      },
    ],
  },
});
