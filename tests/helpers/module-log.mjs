// Test-only: `node --import ./tests/helpers/module-log.mjs …` appends the URL of every ES module the
// process loads (after this hook is registered) to the file named by TPO_MODULE_LOG, one a line.
import { register } from "node:module";

register("./module-log-hooks.mjs", import.meta.url);
