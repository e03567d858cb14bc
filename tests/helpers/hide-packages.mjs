// Test-only: `node --import ./tests/helpers/hide-packages.mjs …` makes the packages named in
// TPO_HIDE_PACKAGES (comma-separated) fail to import as a package that is not installed does.
import { register } from "node:module";

register("./hide-packages-hooks.mjs", import.meta.url);
