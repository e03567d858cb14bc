import { describe, expect, it } from "vitest";
import {
  browserGuard,
  guardBrowser,
  normalOrigin,
  requireJson,
  type BrowserGuard,
} from "../src/server/guard.js";
import { ApiError } from "../src/server/http-io.js";
import { parseChatCompletionRequest } from "../src/server/request.js";

type IncomingMessage = Parameters<typeof guardBrowser>[0];
type ServerResponse = Parameters<typeof guardBrowser>[1];

/**
 * What `tpo serve` refuses, without a server: requests from web pages it was not told to serve
 * (Host, Origin, Content-Type), and fields of OpenAI's API that TPO cannot honour.
 */

interface Answer {
  headers: Record<string, string>;
  status?: number;
  ended: boolean;
}

function exchange(headers: Record<string, string>, method = "POST") {
  const answer: Answer = { headers: {}, ended: false };
  const req = { headers, method } as unknown as IncomingMessage;
  const res = {
    setHeader(name: string, value: string) {
      answer.headers[name] = value;
    },
    writeHead(status: number, extra: Record<string, string>) {
      answer.status = status;
      Object.assign(answer.headers, extra);
    },
    end() {
      answer.ended = true;
    },
  } as unknown as ServerResponse;
  return { req, res, answer };
}

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

describe("the Origin check", () => {
  it("refuses every Origin when no CORS origin is configured, and sets no CORS header", () => {
    const guard = browserGuard("127.0.0.1");
    for (const origin of ["https://evil.example", "http://127.0.0.1:8080", "http://localhost:8080", "null"]) {
      const { req, res, answer } = exchange({ host: "127.0.0.1:8080", origin });
      const error = refusal(() => guardBrowser(req, res, guard));
      expect(error.status).toBe(403);
      expect(error.code).toBe("origin_not_allowed");
      expect(error.message).toContain(`Origin ${origin} may not call this server`);
      expect(error.message).toContain("--cors-origin");
      expect(error.headers).toEqual({ connection: "close" });
      expect(answer.headers).toEqual({});
    }
  });

  it("refuses a preflight too when no CORS origin is configured", () => {
    const { req, res, answer } = exchange({ host: "localhost", origin: "https://app.example" }, "OPTIONS");
    expect(refusal(() => guardBrowser(req, res, browserGuard("127.0.0.1"))).status).toBe(403);
    expect(answer.ended).toBe(false);
  });

  it("lets a request without Origin through (curl, SDKs), with no CORS header", () => {
    const { req, res, answer } = exchange({ host: "127.0.0.1:8080" });
    expect(guardBrowser(req, res, browserGuard("127.0.0.1"))).toBe(false);
    expect(answer.headers).toEqual({});
  });

  it("allows a configured origin only, and answers its preflight", () => {
    const guard = browserGuard("127.0.0.1", [], ["https://app.example/"]);
    const post = exchange({ host: "localhost:8080", origin: "https://app.example" });
    expect(guardBrowser(post.req, post.res, guard)).toBe(false);
    expect(post.answer.headers).toEqual({
      "access-control-allow-origin": "https://app.example",
      vary: "Origin",
    });
    expect(post.answer.status).toBeUndefined();

    const preflight = exchange({ host: "localhost:8080", origin: "https://app.example" }, "OPTIONS");
    expect(guardBrowser(preflight.req, preflight.res, guard)).toBe(true);
    expect(preflight.answer).toMatchObject({ status: 204, ended: true });
    expect(preflight.answer.headers).toMatchObject({
      "access-control-allow-origin": "https://app.example",
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-allow-headers": "authorization, content-type",
      "access-control-max-age": "600",
      "content-length": "0",
    });

    const other = exchange({ host: "localhost:8080", origin: "https://app.example.evil" });
    expect(refusal(() => guardBrowser(other.req, other.res, guard)).code).toBe("origin_not_allowed");
  });

  it('allows any origin with "*", echoing the caller\'s', () => {
    const { req, res, answer } = exchange({ host: "localhost", origin: "https://anywhere.example" });
    expect(guardBrowser(req, res, browserGuard("127.0.0.1", [], ["*"]))).toBe(false);
    expect(answer.headers["access-control-allow-origin"]).toBe("https://anywhere.example");
  });

  it("reads configured origins as a browser sends them, and refuses what is not one", () => {
    expect(normalOrigin("https://App.Example:443/path")).toBe("https://app.example");
    expect(normalOrigin("http://localhost:3000")).toBe("http://localhost:3000");
    expect(normalOrigin("*")).toBe("*");
    expect(() => normalOrigin("app.example")).toThrow(
      '"app.example" is not an origin such as https://app.example',
    );
    expect(() => normalOrigin("file:///etc")).toThrow('"file:///etc" is not an http:// or https:// origin');
  });
});

describe("the Host check", () => {
  it("accepts the loopback names and the bound address, with or without a port, in any case", () => {
    const guard = browserGuard("127.0.0.1");
    for (const host of [
      "localhost",
      "LOCALHOST:8080",
      "127.0.0.1",
      "127.0.0.1:1",
      "[::1]:8080",
      "[::1]",
      "localhost.",
    ]) {
      const { req, res } = exchange({ host });
      expect(guardBrowser(req, res, guard)).toBe(false);
    }
  });

  it("refuses any other name (DNS rebinding), and a request without Host", () => {
    const guard = browserGuard("127.0.0.1");
    for (const [host, shown] of [
      ["rebind.evil.example:8080", "rebind.evil.example"],
      ["10.0.0.2", "10.0.0.2"],
      ["", "(none)"],
    ]) {
      const { req, res } = exchange(host ? { host } : {});
      const error = refusal(() => guardBrowser(req, res, guard));
      expect(error.status).toBe(403);
      expect(error.code).toBe("host_not_allowed");
      expect(error.message).toMatch(
        new RegExp(`^Host ${shown.replace(/[.()]/g, "\\$&")} is not a name of this server`),
      );
    }
  });

  it("adds the bound address and the allowed hosts, and accepts any host on a wildcard bind without a list", () => {
    const named = browserGuard("10.1.2.3", ["Proxy.Example."]);
    for (const host of ["10.1.2.3:8080", "proxy.example", "localhost"]) {
      const { req, res } = exchange({ host });
      expect(guardBrowser(req, res, named)).toBe(false);
    }
    expect(browserGuard("0.0.0.0").hosts).toBeNull();
    expect(browserGuard("::").hosts).toBeNull();
    expect(browserGuard("0.0.0.0", []).hosts).toBeNull();
    const listed = browserGuard("0.0.0.0", ["api.example"]);
    expect([...listed.hosts!].sort()).toEqual(["0.0.0.0", "127.0.0.1", "::1", "api.example", "localhost"]);
    const { req, res } = exchange({ host: "other.example" });
    expect(refusal(() => guardBrowser(req, res, listed)).code).toBe("host_not_allowed");
  });
});

describe("the Content-Type check", () => {
  it("takes JSON only, with parameters, in any case", () => {
    for (const type of ["application/json", "Application/JSON; charset=utf-8"]) {
      expect(() => requireJson(exchange({ "content-type": type }).req)).not.toThrow();
    }
  });

  it("refuses the types a web page can send across sites, and none at all, with a 415", () => {
    for (const [type, tail] of [
      ["text/plain", ", not text/plain"],
      ["application/x-www-form-urlencoded", ", not application/x-www-form-urlencoded"],
      ["", ""],
    ]) {
      const error = refusal(() => requireJson(exchange(type ? { "content-type": type } : {}).req));
      expect(error.status).toBe(415);
      expect(error.code).toBe("unsupported_media_type");
      expect(error.message).toBe(`The request body must be sent with Content-Type: application/json${tail}.`);
    }
  });
});

describe("fields the server refuses", () => {
  const ask = (extra: Record<string, unknown>) =>
    parseChatCompletionRequest({ messages: [{ role: "user", content: "q" }], ...extra });

  it.each([
    ["response_format", { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } }],
    ["response_format", { type: "json_object" }],
    ["functions", [{ name: "f", parameters: { type: "object" } }]],
    ["function_call", "auto"],
    ["function_call", { name: "f" }],
    ["tool_choice", "auto"],
    ["tool_choice", "required"],
    ["logprobs", true],
    ["top_logprobs", 3],
    ["audio", { voice: "alloy", format: "wav" }],
    ["modalities", ["text", "audio"]],
  ])("refuses %s = %j with a 400 naming it", (field, value) => {
    const error = refusal(() => ask({ [field]: value }));
    expect(error.status).toBe(400);
    expect(error.param).toBe(field);
    expect(error.code).toBe("unsupported_parameter");
    expect(error.message).toMatch(
      new RegExp(`^'${field}' is not supported: .+\\. Leave it out of the request\\.$`),
    );
  });

  it("refuses tools (structured output through a tool's schema), n above 1 and unknown tpo settings", () => {
    const tools = refusal(() =>
      ask({ tools: [{ type: "function", function: { name: "extract", parameters: { type: "object" } } }] }),
    );
    expect([tools.status, tools.param]).toEqual([400, "tools"]);
    expect(refusal(() => ask({ n: 2 })).param).toBe("n");
    const unknown = refusal(() => ask({ tpo: { response_format: { type: "json_object" } } }));
    expect([unknown.status, unknown.param]).toEqual([400, "tpo.response_format"]);
  });

  it.each([
    ["response_format", { type: "text" }],
    ["response_format", null],
    ["functions", []],
    ["function_call", "none"],
    ["tool_choice", "none"],
    ["tool_choice", null],
    ["logprobs", false],
    ["top_logprobs", 0],
    ["audio", null],
    ["modalities", ["text"]],
    ["tools", []],
    ["n", 1],
  ])("takes %s = %j, which asks for nothing TPO cannot do", (field, value) => {
    expect(ask({ [field]: value }).messages).toHaveLength(1);
  });
});

describe("the Host check, IPv6 and odd forms", () => {
  it("takes a bracketed IPv6 address bound or named, with or without a port, and nothing around it", () => {
    const guard = browserGuard("[FD00::5]");
    for (const host of ["[fd00::5]:8080", "[fd00::5]", " [fd00::5]:8080 ", "[FD00::5]:"]) {
      const { req, res } = exchange({ host });
      expect(guardBrowser(req, res, guard), host).toBe(false);
    }
    for (const host of ["[fd00::6]:8080", "x[fd00::5]:8080", "[fd00::5]:80x", "[fd00::5]]"]) {
      const { req, res } = exchange({ host });
      expect(refusal(() => guardBrowser(req, res, guard)).code, host).toBe("host_not_allowed");
    }
  });

  it("says in full why a name is refused, and closes the connection", () => {
    const { req, res } = exchange({ host: "rebind.evil.example" });
    const error = refusal(() => guardBrowser(req, res, browserGuard("127.0.0.1")));
    expect(error.message).toBe(
      "Host rebind.evil.example is not a name of this server, so the request may come from a web page through " +
        "DNS rebinding; call it by its address, or add the name with tpo serve --allowed-hosts.",
    );
    expect(error.headers).toEqual({ connection: "close" });
  });
});

describe("the server's own pages", () => {
  it("may call it under a name of the server, over http or https, with no CORS header", () => {
    const guard = browserGuard("127.0.0.1", undefined, [], true);
    for (const [origin, host] of [
      ["http://127.0.0.1:8080", "127.0.0.1:8080"],
      ["https://localhost:8443", "localhost:8443"],
    ]) {
      const { req, res, answer } = exchange({ host, origin });
      expect(guardBrowser(req, res, guard)).toBe(false);
      expect(answer.headers).toEqual({});
    }
  });

  it("are refused when not allowed, under another port or scheme, and on a wildcard bind without names", () => {
    const cors = (origin: string) =>
      `Origin ${origin} may not call this server: browsers on other sites are refused; allow the site with tpo serve --cors-origin.`;
    const cases: [BrowserGuard, string, string, string][] = [
      [browserGuard("127.0.0.1"), "http://127.0.0.1:8080", "127.0.0.1:8080", cors("http://127.0.0.1:8080")],
      [
        browserGuard("127.0.0.1", undefined, [], true),
        "http://127.0.0.1:9",
        "127.0.0.1:8080",
        cors("http://127.0.0.1:9"),
      ],
      [
        browserGuard("127.0.0.1", undefined, [], true),
        "ftp://127.0.0.1:8080",
        "127.0.0.1:8080",
        cors("ftp://127.0.0.1:8080"),
      ],
      [
        browserGuard("0.0.0.0", undefined, [], true),
        "http://10.0.0.7:8080",
        "10.0.0.7:8080",
        "Origin http://10.0.0.7:8080: a server bound to every address takes its own pages' requests only under the " +
          "names given with tpo serve --allowed-hosts (against DNS rebinding); open the playground by one of them.",
      ],
    ];
    for (const [guard, origin, host, message] of cases) {
      const { req, res } = exchange({ host, origin });
      const error = refusal(() => guardBrowser(req, res, guard));
      expect(error.code, origin).toBe("origin_not_allowed");
      expect(error.message, origin).toBe(message);
    }
  });
});

describe("configured origins", () => {
  it("must be http or https", () => {
    for (const origin of ["ftp://app.example", "ws://app.example"]) {
      expect(() => normalOrigin(origin)).toThrow(`"${origin}" is not an http:// or https:// origin`);
    }
    expect(normalOrigin("HTTP://App.Example:80")).toBe("http://app.example");
  });
});

describe("the guard's edges", () => {
  it("trims allowed names, lists exactly the names it takes, and treats an empty bind address as every address", () => {
    expect([...browserGuard("10.1.2.3").hosts!].sort()).toEqual([
      "10.1.2.3",
      "127.0.0.1",
      "::1",
      "localhost",
    ]);
    const { req, res } = exchange({ host: "api.example" });
    expect(guardBrowser(req, res, browserGuard("127.0.0.1", [" Api.Example "]))).toBe(false);
    expect(browserGuard("").hosts).toBeNull();
  });

  it("names the wildcard bind only for the server's own origin, not for another site's", () => {
    const { req, res } = exchange({ host: "10.0.0.7:8080", origin: "http://evil.example" });
    expect(
      refusal(() => guardBrowser(req, res, browserGuard("0.0.0.0", undefined, [], true))).message,
    ).toMatch(/^Origin http:\/\/evil\.example may not call this server/);
  });

  it("takes JSON with spaces before its parameters, and closes the connection of a refused body", () => {
    expect(() =>
      requireJson(exchange({ "content-type": "application/json ; charset=utf-8" }).req),
    ).not.toThrow();
    expect(refusal(() => requireJson(exchange({ "content-type": "text/plain" }).req)).headers).toEqual({
      connection: "close",
    });
  });
});
