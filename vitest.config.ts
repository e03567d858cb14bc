import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // tests/*.int.test.ts start servers, subprocesses or Chromium; `npm run test:unit` leaves them
    // out for a fast loop, `npm test` (CI) runs everything.
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // CI also writes a JSON report, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results.json" }]] : ["default"],
  },
});
