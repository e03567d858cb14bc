import { join } from "node:path";
import { afterEach } from "vitest";
import { tempDir } from "./cli.js";
import { LangSmithCapture } from "./langsmith-capture.js";

/** A started stand-in, its endpoint, and a new temporary folder with the results file a batch there writes. */
export interface LangSmithStandIn {
  capture: LangSmithCapture;
  endpoint: string;
  dir: string;
  out: string;
}

/**
 * LangSmith stand-ins for the tests of a file, one per test: `start()` starts one (ingesting as
 * `mode` says, see LangSmithCapture), which is closed after the test.
 */
export function useLangSmithStandIn(): { start(mode?: "multipart" | "batch"): Promise<LangSmithStandIn> } {
  let started: LangSmithCapture | undefined;
  afterEach(async () => {
    await started?.close();
    started = undefined;
  });
  return {
    async start(mode) {
      const capture = new LangSmithCapture(mode);
      started = capture;
      const endpoint = await capture.start();
      const dir = tempDir();
      return { capture, endpoint, dir, out: join(dir, "results.jsonl") };
    },
  };
}
