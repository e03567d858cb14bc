import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import zlib from "node:zlib";

/** One pool of kept-alive connections per protocol, shared by every client of this process. */
const AGENTS = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

function decoded(res: http.IncomingMessage): Readable {
  switch (res.headers["content-encoding"]) {
    case "gzip":
    case "x-gzip":
      return res.pipe(zlib.createGunzip());
    case "deflate":
      return res.pipe(zlib.createInflate());
    case "br":
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return res;
  }
}

function responseHeaders(res: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/**
 * A Response whose body is already read whole: `text()` and `json()` decode the buffer directly,
 * with no WHATWG stream in between (building and draining one cost about as much client CPU as the
 * rest of the request). `body` still gives a stream, made on demand, for callers that want one.
 */
function bufferedResponse(buffer: Buffer, init: ResponseInit): Response {
  const response = new Response(null, init);
  let used = false;
  const take = (): Buffer => {
    if (used) throw new TypeError("Body is unusable: Body has already been read");
    used = true;
    return buffer;
  };
  const text = async () => take().toString("utf8");
  Object.defineProperties(response, {
    bodyUsed: { get: () => used },
    body: {
      get: () => {
        const bytes = take();
        return new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array(bytes));
            controller.close();
          },
        });
      },
    },
    text: { value: text },
    json: { value: async () => JSON.parse(await text()) as unknown },
    arrayBuffer: {
      value: async () => {
        const bytes = take();
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      },
    },
    bytes: { value: async () => new Uint8Array(take()) },
    blob: { value: async () => new Blob([take()], { type: response.headers.get("content-type") ?? "" }) },
    clone: {
      value: () => {
        if (used) throw new TypeError("Response.clone: Body has already been consumed.");
        const { status, statusText, headers } = response;
        return bufferedResponse(buffer, { status, statusText, headers: new Headers(headers) });
      },
    },
  });
  return response;
}

/**
 * `fetch` for the model and reward clients, on node:http with kept-alive connections. Node 20's
 * own fetch (undici through WHATWG streams) spends about 0.8 ms more CPU per request, a large share
 * of what a TPO iteration costs the client (see bench/RESULTS.md). Non-streamed bodies are read
 * whole; event streams are handed over as they arrive. Anything else fetch can do that a JSON API
 * does not need (a Request object, a streamed or form body, a redirect, an undici dispatcher such
 * as a proxy agent) goes to the global fetch. Failures look like fetch's: the signal's reason on
 * abort, a TypeError whose `cause` is the socket error on a connection failure.
 */
export const nodeHttpFetch: typeof fetch = async (input, init = {}) => {
  const url = typeof input === "string" ? new URL(input) : input instanceof URL ? input : undefined;
  const body = init.body ?? undefined;
  const agent = url && AGENTS[url.protocol as keyof typeof AGENTS];
  // A dispatcher (an undici proxy agent, passed through the OpenAI SDK's fetchOptions) is fetch's to use.
  const dispatcher = (init as { dispatcher?: unknown }).dispatcher;
  if (
    !url ||
    !agent ||
    dispatcher !== undefined ||
    (body !== undefined && typeof body !== "string" && !(body instanceof Uint8Array))
  ) {
    return fetch(input, init);
  }
  const { signal } = init;
  if (signal?.aborted) throw abortError(signal);

  const headers = headerRecord(init.headers);
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  const send = url.protocol === "https:" ? https.request : http.request;

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      reject(error);
    };
    const onAbort = () => {
      req.destroy();
      fail(abortError(signal!));
    };
    const req = send(url, { method: init.method ?? "GET", headers, agent }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && init.redirect !== "manual") {
        res.resume();
        signal?.removeEventListener("abort", onAbort);
        settled = true;
        resolve(fetch(input, init));
        return;
      }
      const responseInit = { status, statusText: res.statusMessage ?? "", headers: responseHeaders(res) };
      const stream = decoded(res);
      if (NULL_BODY_STATUSES.has(status)) {
        res.resume();
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        return resolve(new Response(null, responseInit));
      }
      if (String(res.headers["content-type"]).includes("text/event-stream")) {
        // The caller reads events as they come; the listener stays to cut the stream on abort.
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        const cut = () => res.destroy(abortError(signal!) as Error);
        signal?.addEventListener("abort", cut, { once: true });
        res.once("close", () => signal?.removeEventListener("abort", cut));
        return resolve(new Response(Readable.toWeb(stream) as ReadableStream, responseInit));
      }
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error) => fail(new TypeError("fetch failed", { cause: error })));
      stream.on("end", () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        resolve(bufferedResponse(Buffer.concat(chunks), responseInit));
      });
    });
    req.on("error", (error) => fail(new TypeError("fetch failed", { cause: error })));
    signal?.addEventListener("abort", onAbort, { once: true });
    req.end(body);
    loadWebTypesWhileWaiting();
  });
};

/** Request headers as node:http takes them; a plain object is copied without building a Headers. */
function headerRecord(init: RequestInit["headers"]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (init !== undefined && Object.getPrototypeOf(init) === Object.prototype) {
    for (const [name, value] of Object.entries(init as Record<string, string>)) {
      headers[name.toLowerCase()] = String(value);
    }
    return headers;
  }
  new Headers(init).forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

let webTypesLoaded = false;

/**
 * Node 20 loads fetch's Headers and Response (undici, ≈ 10 ms of CPU) the first time either is
 * used. Every answer is wrapped in them, so load them while the first request is in flight
 * instead of when its answer has arrived and the next request waits on it.
 */
function loadWebTypesWhileWaiting(): void {
  if (webTypesLoaded) return;
  webTypesLoaded = true;
  setImmediate(() => void globalThis.Response);
}
