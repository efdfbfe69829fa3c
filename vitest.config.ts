import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Kernel, notebook and browser tests start real processes; two cores are shared.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
