import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { randomUUID } from "node:crypto";

/** A run as the LangSmith client sent it: its create payload with any later update merged in. */
export interface CapturedRun {
  id: string;
  name: string;
  run_type: string;
  trace_id: string;
  dotted_order: string;
  parent_run_id?: string | null;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  extra?: { metadata?: Record<string, unknown> };
  tags?: string[];
  error?: string | null;
  [key: string]: unknown;
}

type Payload = Record<string, unknown>;

/** The multipart fields that the client sends as parts of their own: `post.<id>.<field>`. */
const SPLIT_FIELDS = new Set(["inputs", "outputs", "events", "extra", "error", "serialized"]);

/** A dataset, example, experiment (project), feedback or comparative experiment as the client created it. */
export type Stored = Record<string, unknown> & { id: string };

/** How the stand-in answers every request but `GET /info`: normally, with an error status, or not at all. */
export type Behaviour = "answer" | 401 | 429 | 500 | "silent";

/**
 * A local stand-in for LangSmith's API, as the langsmith 0.12 client speaks it. Ingestion:
 * `GET /info`, `POST /runs/multipart` (parts `post.<id>`, `patch.<id>`, `post.<id>.inputs`, ...),
 * `POST /runs/batch` (`{ post: [...], patch: [...] }`), `POST /runs` and `PATCH /runs/:id`.
 * Evaluation: datasets (`GET`/`POST /datasets`), examples (`GET /examples`, `GET /examples/:id`,
 * the multipart `POST /v1/platform/datasets/:id/examples`), experiments (`POST /sessions`, upsert
 * by name), `POST /runs/query`, `POST /api/v2/runs/query` (`client.runs.query()`), `GET`/`POST /feedback`, `PATCH /feedback/:id`
 * and `POST /datasets/comparative`.
 * It keeps every request body as received, to check what left the process.
 */
export class LangSmithCapture {
  readonly bodies: string[] = [];
  readonly requests: { method: string; path: string; apiKey: string | undefined }[] = [];
  readonly datasets: Stored[] = [];
  readonly examples: Stored[] = [];
  readonly projects: Stored[] = [];
  readonly feedback: Stored[] = [];
  readonly comparisons: Stored[] = [];
  /** Set it to make the stand-in refuse (or ignore) what follows. */
  behaviour: Behaviour = "answer";
  private readonly posts = new Map<string, Payload>();
  private readonly patches = new Map<string, Payload>();
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: String(error) }));
    });
  });

  /** multipart: ask the client for multipart ingestion; batch: for JSON batches. */
  constructor(private readonly mode: "multipart" | "batch" = "multipart") {}

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every run, by id, its updates merged over its create payload. */
  runs(): Map<string, CapturedRun> {
    const runs = new Map<string, CapturedRun>();
    for (const [id, post] of this.posts) runs.set(id, { ...post, ...this.patches.get(id) } as CapturedRun);
    return runs;
  }

  private record(kind: "post" | "patch", payload: Payload) {
    const id = String(payload.id);
    const target = kind === "post" ? this.posts : this.patches;
    target.set(id, { ...target.get(id), ...payload });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const apiKey = req.headers["x-api-key"];
    this.requests.push({
      method: req.method ?? "",
      path: url.pathname,
      apiKey: apiKey as string | undefined,
    });
    const body = await readBody(req);
    this.bodies.push(body.toString("utf8"));
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (this.behaviour === "silent") return; // holds the connection, answers nothing
    if (this.behaviour !== "answer") return json(this.behaviour, { detail: "refused by the test" });

    if (req.method === "GET" && url.pathname === "/info") {
      // No compression flags: the client then sends plain bodies that this server can read.
      return json(200, {
        version: "0.16.0", // the oldest backend that answers `client.runs.query()`
        instance_flags: { dataset_examples_multipart_enabled: true },
        batch_ingest_config: {
          use_multipart_endpoint: this.mode === "multipart",
          size_limit: 100,
          size_limit_bytes: 20_971_520,
          scale_up_qsize_trigger: 1000,
          scale_up_nthreads_limit: 16,
          scale_down_nempty_trigger: 4,
        },
      });
    }
    if (req.method === "POST" && url.pathname === "/runs/multipart") {
      const form = await new Response(new Uint8Array(body), {
        headers: { "content-type": String(req.headers["content-type"]) },
      }).formData();
      const fields = new Map<string, Payload>();
      for (const [name, value] of form.entries()) {
        const [kind, id, field] = name.split(".");
        if (kind !== "post" && kind !== "patch" && kind !== "feedback") continue; // attachments
        const parsed: unknown = JSON.parse(typeof value === "string" ? value : await value.text());
        if (kind === "feedback") {
          this.feedback.push({ ...(parsed as Payload), id });
          continue;
        }
        const key = `${kind}.${id}`;
        const payload = fields.get(key) ?? {};
        if (field === undefined) Object.assign(payload, parsed);
        else if (SPLIT_FIELDS.has(field)) payload[field] = parsed;
        fields.set(key, payload);
      }
      for (const [key, payload] of fields) {
        const [kind, id] = key.split(".");
        this.record(kind as "post" | "patch", { ...payload, id });
      }
      return json(202, {});
    }
    if (req.method === "POST" && url.pathname === "/runs/batch") {
      const batch = JSON.parse(body.toString("utf8")) as { post?: Payload[]; patch?: Payload[] };
      for (const run of batch.post ?? []) this.record("post", run);
      for (const run of batch.patch ?? []) this.record("patch", run);
      return json(202, {});
    }
    if (req.method === "POST" && url.pathname === "/runs") {
      this.record("post", JSON.parse(body.toString("utf8")) as Payload);
      return json(202, {});
    }
    const patch = /^\/runs\/([^/]+)$/.exec(url.pathname);
    if (req.method === "PATCH" && patch) {
      this.record("patch", { ...(JSON.parse(body.toString("utf8")) as Payload), id: patch[1] });
      return json(202, {});
    }
    const handled = await this.evaluation(req.method ?? "", url, body, req.headers["content-type"]);
    if (handled !== undefined) return json(handled.status, handled.value);
    return json(404, { detail: `Not found: ${req.method} ${url.pathname}` });
  }

  /** Datasets, examples, experiments, feedback and comparisons; undefined for another path. */
  private async evaluation(
    method: string,
    url: URL,
    body: Buffer,
    contentType: string | undefined,
  ): Promise<{ status: number; value: unknown } | undefined> {
    const ok = (value: unknown) => ({ status: 200, value });
    const page = (items: unknown[]) => {
      const offset = Number(url.searchParams.get("offset") ?? 0);
      return ok(items.slice(offset, offset + Number(url.searchParams.get("limit") ?? 100)));
    };
    const parsed = () => JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    const path = url.pathname;
    if (method === "GET" && path === "/datasets") {
      const name = url.searchParams.get("name");
      return page(this.datasets.filter((d) => name === null || d.name === name));
    }
    const byId = /^\/(datasets|sessions)\/([0-9a-f-]{36})$/.exec(path);
    if (byId) {
      const list = byId[1] === "datasets" ? this.datasets : this.projects;
      const found = list.find((d) => d.id === byId[2]);
      if (!found) return { status: 404, value: { detail: `no such ${byId[1]}` } };
      if (method === "PATCH") Object.assign(found, parsed());
      return ok(found);
    }
    if (method === "POST" && path === "/datasets") {
      const dataset = { ...parsed(), id: randomUUID(), created_at: new Date().toISOString() };
      this.datasets.push(dataset);
      return ok(dataset);
    }
    if (method === "GET" && path === "/examples") {
      const dataset = url.searchParams.get("dataset");
      return page(this.examples.filter((e) => e.dataset_id === dataset));
    }
    const example = /^\/examples\/([^/]+)$/.exec(path);
    if (method === "GET" && example) {
      const found = this.examples.find((e) => e.id === example[1]);
      return found ? ok(found) : { status: 404, value: { detail: "no such example" } };
    }
    const upload = /^\/v1\/platform\/datasets\/([^/]+)\/examples$/.exec(path);
    if (method === "POST" && upload) {
      const form = await new Response(new Uint8Array(body), {
        headers: { "content-type": String(contentType) },
      }).formData();
      const byId = new Map<string, Stored>();
      for (const [name, value] of form.entries()) {
        const [id, field] = name.split(".");
        const part: unknown = JSON.parse(typeof value === "string" ? value : await value.text());
        const now = new Date().toISOString();
        const stored = byId.get(id) ?? { id, dataset_id: upload[1], created_at: now, modified_at: now };
        if (field === undefined) Object.assign(stored, part);
        else stored[field] = part;
        byId.set(id, stored);
      }
      this.examples.push(...byId.values());
      return { status: 201, value: { example_ids: [...byId.keys()], count: byId.size } };
    }
    if (method === "POST" && path === "/sessions") {
      const project = parsed();
      const existing = this.projects.find((p) => p.name === project.name);
      if (existing && url.searchParams.get("upsert") === "true") return ok(existing);
      if (existing) return { status: 409, value: { detail: "project exists" } };
      const created = { ...project, id: randomUUID() };
      this.projects.push(created);
      return ok(created);
    }
    if (method === "GET" && path === "/sessions") {
      const name = url.searchParams.get("name");
      return ok(this.projects.filter((p) => name === null || p.name === name));
    }
    if (method === "POST" && path === "/runs/query") {
      const query = parsed() as { session?: string[]; is_root?: boolean };
      const names = new Set(this.projects.filter((p) => query.session?.includes(p.id)).map((p) => p.name));
      const runs = [...this.runs().values()].filter(
        (run) =>
          names.has(run.session_name) && (query.is_root !== true || (run.parent_run_id ?? null) === null),
      );
      return ok({ runs, cursors: { next: null } });
    }
    if (method === "POST" && path === "/api/v2/runs/query") {
      // As the v2 query answers: runs of the projects started since `min_start_time` (one day ago
      // when not given), with only the selected fields.
      const query = parsed() as {
        project_ids?: string[];
        is_root?: boolean;
        min_start_time?: string;
        selects?: string[];
      };
      const since = Date.parse(query.min_start_time ?? new Date(Date.now() - 86_400_000).toISOString());
      const names = new Set(
        this.projects.filter((p) => query.project_ids?.includes(p.id)).map((p) => p.name),
      );
      const items = [...this.runs().values()]
        .filter(
          (run) =>
            names.has(run.session_name) &&
            (query.is_root === undefined || query.is_root === ((run.parent_run_id ?? null) === null)) &&
            startOf(run) >= since,
        )
        .map((run) =>
          Object.fromEntries(
            (query.selects ?? ["ID"]).map((field) => [field.toLowerCase(), run[field.toLowerCase()]]),
          ),
        );
      return ok({ items, next_cursor: null });
    }
    if (method === "GET" && path === "/feedback") {
      const runs = url.searchParams.getAll("run");
      const keys = url.searchParams.getAll("key");
      return page(
        this.feedback.filter(
          (f) =>
            (runs.length === 0 || runs.includes(String(f.run_id))) &&
            (keys.length === 0 || keys.includes(String(f.key))),
        ),
      );
    }
    const feedbackId = /^\/feedback\/([0-9a-f-]{36})$/.exec(path);
    if (method === "PATCH" && feedbackId) {
      const found = this.feedback.find((f) => f.id === feedbackId[1]);
      if (!found) return { status: 404, value: { detail: "no such feedback" } };
      Object.assign(found, parsed());
      return ok(found);
    }
    if (method === "POST" && path === "/feedback") {
      this.feedback.push(parsed() as Stored);
      return ok({});
    }
    if (method === "POST" && path === "/datasets/comparative") {
      const comparison = { ...parsed(), id: String(parsed().id ?? randomUUID()) };
      this.comparisons.push(comparison);
      return ok(comparison);
    }
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body;
}

/** When a run started, in milliseconds: the client sends an ISO date or a number. */
function startOf(run: CapturedRun): number {
  const start = run.start_time;
  return typeof start === "number" ? start : Date.parse(String(start));
}

/** Parent-child links of a captured trace. */
export function childrenOf(runs: Map<string, CapturedRun>, parent: CapturedRun): CapturedRun[] {
  return [...runs.values()]
    .filter((r) => r.parent_run_id === parent.id)
    .sort((a, b) => a.dotted_order.localeCompare(b.dotted_order));
}
