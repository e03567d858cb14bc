import { describe, expect, it } from "vitest";
import { browserGuard, guardBrowser } from "../src/server/guard.js";
import { DEFAULT_SERVER_CAPS } from "../src/server/limits.js";
import { cappedDefaults } from "../src/settings/capped-defaults.js";
import { PlaygroundEvents } from "../src/server/playground-events.js";
import { settingFields } from "../src/server/playground-page.js";
import { parseChatCompletionRequest } from "../src/server/request.js";
import type { RunEvent } from "../src/run/index.js";
import { emptyRecord, makeCandidate, type TpoStateType } from "../src/state/state.js";

type Request = Parameters<typeof guardBrowser>[0];
type Response = Parameters<typeof guardBrowser>[1];

function request(headers: Record<string, string>): Request {
  return { headers, method: "POST" } as unknown as Request;
}
const response = { setHeader: () => {} } as unknown as Response;

describe("the playground's own origin", () => {
  it("is accepted under the server's host names only with the playground on", () => {
    const on = browserGuard("127.0.0.1", undefined, [], true);
    const off = browserGuard("127.0.0.1");
    const own = { host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080" };
    expect(guardBrowser(request(own), response, on)).toBe(false);
    expect(() => guardBrowser(request(own), response, off)).toThrow(/may not call this server/);
    // Another site, or the same name on another port, is another origin.
    expect(() => guardBrowser(request({ ...own, origin: "http://evil.example" }), response, on)).toThrow(
      /403|may not/,
    );
    expect(() => guardBrowser(request({ ...own, origin: "http://127.0.0.1:9999" }), response, on)).toThrow();
  });

  it("is refused on a wildcard bind without host names, where DNS rebinding makes any site the server", () => {
    const wildcard = browserGuard("0.0.0.0", undefined, [], true);
    const rebound = { host: "evil.example:8080", origin: "http://evil.example:8080" };
    expect(() => guardBrowser(request(rebound), response, wildcard)).toThrow(/--allowed-hosts/);
    const named = browserGuard("0.0.0.0", ["tpo.lan"], [], true);
    expect(
      guardBrowser(request({ host: "tpo.lan:8080", origin: "http://tpo.lan:8080" }), response, named),
    ).toBe(false);
    expect(() => guardBrowser(request(rebound), response, named)).toThrow(/Host/);
  });
});

describe("tpo.progress events", () => {
  const body = (stream: boolean) => ({
    messages: [{ role: "user", content: "hi" }],
    stream,
    tpo: { progress: "events" },
  });

  it("streams only: a whole answer asking for events is a 400 naming the field", () => {
    expect(parseChatCompletionRequest(body(true)).progress).toBe("events");
    expect(() => parseChatCompletionRequest(body(false))).toThrow(/needs stream: true/);
  });

  it("turns the run's events into the playground's: the critic's texts under the iteration it writes for", () => {
    const events = new PlaygroundEvents();
    const a = { ...makeCandidate("first", 0, "sample"), score: 2 };
    const b = { ...makeCandidate("better", 1, "update"), score: 5 };
    const started = (iteration: number): RunEvent => ({
      type: "tpo.iteration.started",
      iteration,
      mode: "tpo",
      width: 1,
      depth: 1,
      chosen: iteration ? a.id : null,
      rejected: null,
    });
    expect(events.of(started(0))).toMatchObject({ type: "iteration.started", iteration: 0 });
    expect(events.of(started(1))).toMatchObject({ chosen: a.id });
    expect(
      events.of({ type: "tpo.node.finished", node: "critique", update: { critiqueText: "why" } }),
    ).toEqual({ type: "critique", iteration: 1, text: "why" });
    expect(events.of({ type: "tpo.node.finished", node: "reward", update: {} })).toBeNull();
    const record = { ...emptyRecord(1), chosen: { id: a.id, score: 2 }, critique: "why", bestSoFar: 5 };
    const state = {
      pool: [a, b],
      usage: { modelRequests: 4, promptTokens: 10, completionTokens: 20 },
    } as unknown as TpoStateType;
    expect(events.of({ type: "tpo.iteration.recorded", record, state })).toMatchObject({
      type: "iteration",
      iteration: { iteration: 1, chosen: a.id, critique: "why", bestId: b.id, bestSoFar: 5 },
      candidates: [{ id: b.id, text: "better", score: 5 }],
      usage: { requests: 4, tokens: 30 },
    });
  });
});

describe("the playground's settings form", () => {
  it("offers every run setting, width, depth and mode first, within the server's caps and defaults", () => {
    const caps = { ...DEFAULT_SERVER_CAPS, maxWidth: 3, maxTokens: 512 };
    const fields = settingFields(cappedDefaults({ depth: 1 }, caps, "serve"), caps);
    expect(fields.slice(0, 3).map((f) => f.name)).toEqual(["width", "depth", "mode"]);
    const field = (name: string) => fields.find((f) => f.name === name)!;
    expect(field("width")).toMatchObject({ kind: "integer", min: 1, max: 3, default: 3 });
    expect(field("depth")).toMatchObject({ max: DEFAULT_SERVER_CAPS.maxDepth, default: 1 });
    expect(field("mode")).toMatchObject({ kind: "choice", options: ["tpo", "revision", "bon"] });
    expect(field("criticMaxTokens").max).toBe(512);
    expect(field("seed")).toMatchObject({ kind: "integer", default: null, max: null });
    expect(field("systemPrompt").kind).toBe("text");
  });
});
