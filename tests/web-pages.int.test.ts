import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

describe("the pages' bundled scripts", () => {
  it("src/web/page-scripts.generated.ts is what scripts/bundle-pages.mjs makes of src/web/browser", () => {
    const check = spawnSync(process.execPath, [join(ROOT, "scripts", "bundle-pages.mjs"), "--check"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });
});
