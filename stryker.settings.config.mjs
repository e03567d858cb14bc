// `npm run test:mutation:settings` (docs/development.md): the mutants of src/settings, each run
// against the settings' own tests (vitest.mutation-settings.config.ts), static ones included.
import base from "./stryker.config.mjs";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation-settings.config.ts" },
  coverageAnalysis: "all",
  ignoreStatic: false,
  mutate: ["src/settings/**/*.ts"],
  htmlReporter: { fileName: "reports/mutation-settings/mutation.html" },
  jsonReporter: { fileName: "reports/mutation-settings/mutation.json" },
};
