import { PLAYGROUND_CONFIG_ID, type PlaygroundConfig } from "../../playground-data.js";
import { el, replaceChildren } from "../dom.js";
import { settingsForm } from "./form.js";
import { RunView } from "./run-view.js";
import { readEventStream } from "./stream.js";

interface Turn {
  role: "user" | "assistant";
  content: string;
}

function readConfig(): PlaygroundConfig {
  const text = document.getElementById(PLAYGROUND_CONFIG_ID)?.textContent;
  return JSON.parse(text ?? "{}") as PlaygroundConfig;
}

/** The answer to a refused request: the server's message (OpenAI's error format), or the status. */
async function refusal(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    if (body.error?.message) return `${response.status}: ${body.error.message}`;
  } catch {
    // not JSON: the status says enough
  }
  return `the server answered ${response.status} ${response.statusText}`;
}

/** The playground: a conversation, the run settings, Run and Stop, and the run drawn as it happens. */
function start(): void {
  const config = readConfig();
  const root = document.getElementById("playground")!;
  const conversation: Turn[] = [];
  const turns = el("div", { class: "conversation", hidden: true });
  const prompt = el("textarea", { id: "prompt", placeholder: "Ask something…", "aria-label": "Prompt" });
  const models = el(
    "select",
    { id: "model", "aria-label": "Model" },
    config.models.map((m) => el("option", { value: m }, m)),
  );
  const settings = settingsForm(config.fields);
  const token = el("input", {
    id: "token",
    type: "password",
    autocomplete: "off",
    placeholder: "the server's TPO_SERVER_API_KEY",
  });
  const run = el("button", { type: "submit", id: "run" }, "Run");
  const stop = el("button", { type: "button", id: "stop", disabled: true }, "Stop");
  const reset = el("button", { type: "button", id: "new-conversation", hidden: true }, "New conversation");
  const output = el("div", { id: "output" });
  const form = el(
    "form",
    { id: "run-form" },
    turns,
    prompt,
    el(
      "div",
      { class: "settings" },
      config.models.length > 1 ? el("label", { for: "model" }, "model", models) : null,
      config.tokenRequired ? el("label", { for: "token" }, "API key", token) : null,
    ),
    settings.element,
    el("div", { class: "actions" }, run, stop, reset),
  );
  replaceChildren(root, form, output);

  let controller: AbortController | null = null;

  function drawConversation(): void {
    replaceChildren(
      turns,
      conversation.map((t) =>
        el(
          "div",
          { class: "turn" },
          el("span", { class: "role" }, t.role),
          el("div", { class: "text" }, t.content),
        ),
      ),
    );
    turns.hidden = conversation.length === 0;
    reset.hidden = conversation.length === 0;
  }

  async function send(view: RunView, text: string, signal: AbortSignal): Promise<void> {
    const requested = settings.read();
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token.value.trim()) headers.authorization = `Bearer ${token.value.trim()}`;
    const response = await fetch("/v1/chat/completions", {
      method: "POST",
      headers,
      signal,
      body: JSON.stringify({
        model: config.models.length > 1 ? models.value : undefined,
        messages: [...conversation, { role: "user", content: text }],
        stream: true,
        stream_options: { include_usage: true },
        tpo: { ...requested, progress: "events" },
      }),
    });
    if (!response.ok || !response.body) {
      view.state("failed", `The run was refused: ${await refusal(response)}`);
      return;
    }
    let failed = false;
    let finished = false;
    await readEventStream(response.body, {
      event: (event) => view.on(event),
      content: (part) => view.content(part),
      finished: (tpo) => {
        finished = true;
        view.finished(tpo);
      },
      error: (message) => {
        failed = true;
        view.state("failed", `The run failed: ${message}`);
      },
    });
    if (failed) return;
    if (!finished) {
      view.state("failed", "The stream ended before the answer.");
      return;
    }
    view.state("done", "Done.");
    conversation.push({ role: "user", content: text }, { role: "assistant", content: view.answerSoFar });
    prompt.value = "";
    drawConversation();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = prompt.value.trim();
    if (!text || controller) return;
    const view = new RunView(String(settings.read().untaggedRewrites ?? "drop"));
    replaceChildren(output, view.element);
    controller = new AbortController();
    run.disabled = true;
    stop.disabled = false;
    const signal = controller.signal;
    send(view, text, signal)
      .catch((error: unknown) => {
        if (signal.aborted) view.state("stopped", "Stopped: the server cancelled the run.");
        else view.state("failed", `The run failed: ${String(error)}`);
      })
      .finally(() => {
        controller = null;
        run.disabled = false;
        stop.disabled = true;
      });
  });
  stop.addEventListener("click", () => controller?.abort());
  reset.addEventListener("click", () => {
    controller?.abort();
    conversation.length = 0;
    drawConversation();
    replaceChildren(output); // the last run's chart and iterations belong to the old conversation
  });
  document.body.setAttribute("data-ready", "");
}

start();
