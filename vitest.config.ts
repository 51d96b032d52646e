import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Default state folders point into a temp folder of the run (test/state-dir.setup.ts).
    globalSetup: ["test/state-dir.setup.ts"],
    // Many tests start real processes (the CLI through tsx, servers, agents, Chromium); on a busy
    // 2-core machine one start alone can take 10-30 s. A timeout here only catches hangs: speed is
    // measured by the benchmarks, not by timed tests.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
