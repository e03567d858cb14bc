/**
 * Reward-model formatting over real HTTP against the simulated server: what TEI and SGLang get
 * (one BOS, added by the server; each chat template), and which label a vLLM answer with several
 * labels gives. The scores are the simulated world's, checked against simReward.
 */
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { RewardLabelError } from "../src/errors.js";
import { applyChatTemplate, CHAT_TEMPLATES, chatTurns } from "../src/models/reward/chat-template.js";
import { modelSettingsFromEnv } from "../src/from-env/models-from-env.js";
import { createHttpRewardModel } from "../src/models/reward/http-reward.js";
import type { RewardItem } from "../src/models/reward/reward-model.js";
import { createRewardModelFromSettings } from "../src/from-env/reward-model-from-settings.js";
import { SimChatModel } from "../src/sim/chat-model.js";
import { startSimServer, type SimServer, type SimServerOptions } from "../src/sim/server.js";
import { simReward } from "../src/sim/world.js";

const QUERY = "How do I take care of a wooden table?";
const RESPONSES = [
  "Oil it twice a year. Here is a concrete example: wipe spills at once.",
  "Just buy a new table.",
];
const BOS = "<|begin_of_text|>";
const TEMPLATE_FILE = fileURLToPath(new URL("./fixtures/reward-templates/chatml-bos.json", import.meta.url));

const items: RewardItem[] = RESPONSES.map((response) => ({
  messages: [new SystemMessage("Be helpful."), new HumanMessage(QUERY)],
  response,
}));
const expected = (seed = 0) => RESPONSES.map((r) => simReward(QUERY, r, seed));

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: SimServerOptions = {}): Promise<SimServer> {
  server = await startSimServer(options);
  return server;
}

/** The texts the client sent to TEI's /predict or SGLang's /classify, in order. */
function sentTexts(sim: SimServer, path: string): string[] {
  return (sim.stats.bodies[path] ?? []).flatMap((body) => {
    const b = body as { inputs?: string[][]; text?: string[] };
    return b.inputs ? b.inputs.map(([text]) => text) : (b.text ?? []);
  });
}

describe.each([
  ["tei", "/predict"],
  ["sglang", "/classify"],
] as const)("%s against the simulated server", (kind, path) => {
  it("sends no BOS of its own, so the model gets the server's one, and scores right", async () => {
    const sim = await start();
    const scores = await createHttpRewardModel({ url: sim.url, kind }).score(items);
    expect(scores).toEqual(expected());
    const texts = sentTexts(sim, path);
    expect(texts).toEqual(
      items.map(
        (item) =>
          `<|start_header_id|>system<|end_header_id|>\n\nBe helpful.<|eot_id|>` +
          `<|start_header_id|>user<|end_header_id|>\n\n${QUERY}<|eot_id|>` +
          `<|start_header_id|>assistant<|end_header_id|>\n\n${item.response}<|eot_id|>`,
      ),
    );
    for (const text of texts) expect(text.includes(BOS)).toBe(false);
  });

  it.each(Object.keys(CHAT_TEMPLATES) as (keyof typeof CHAT_TEMPLATES)[])(
    "renders the %s template that --reward-template names",
    async (name) => {
      const sim = await start();
      const model = createRewardModelFromSettings(
        modelSettingsFromEnv({ TPO_REWARD_URL: sim.url, TPO_REWARD_KIND: kind, TPO_REWARD_TEMPLATE: name }),
        new SimChatModel(),
      );
      expect(await model.score(items)).toEqual(expected());
      expect(sentTexts(sim, path)).toEqual(
        items.map((item) =>
          applyChatTemplate(CHAT_TEMPLATES[name], chatTurns(item.messages, item.response), { bos: false }),
        ),
      );
    },
  );

  it("renders a template file, leaving out its bos", async () => {
    const sim = await start();
    const model = createRewardModelFromSettings(
      modelSettingsFromEnv({
        TPO_REWARD_URL: sim.url,
        TPO_REWARD_KIND: kind,
        TPO_REWARD_TEMPLATE: TEMPLATE_FILE,
      }),
      new SimChatModel(),
    );
    expect(await model.score(items)).toEqual(expected());
    expect(sentTexts(sim, path)[1]).toBe(
      "<|im_start|>system\nBe helpful.<|im_end|>\n" +
        `<|im_start|>user\n${QUERY}<|im_end|>\n` +
        `<|im_start|>assistant\n${RESPONSES[1]}<|im_end|>`,
    );
  });
});

describe("vLLM answers with several labels", () => {
  it.each([
    ["vllm-pooling", {}],
    ["vllm-pooling", { poolingPerToken: true }],
    ["vllm-classify", {}],
  ] as const)("%s %j: takes the label that TPO_REWARD_LABEL names", async (kind, extra) => {
    const sim = await start({ seed: 4, labels: 3, ...extra });
    const model = createRewardModelFromSettings(
      modelSettingsFromEnv({ TPO_REWARD_URL: sim.url, TPO_REWARD_KIND: kind, TPO_REWARD_LABEL: "0" }),
      new SimChatModel(),
    );
    expect(await model.score(items)).toEqual(expected(4));
    const second = createHttpRewardModel({ url: sim.url, kind, labelIndex: 2 });
    expect(await second.score(items)).toEqual(expected(4).map((s) => -2 * s));
  });

  it.each(["vllm-pooling", "vllm-classify"] as const)(
    "%s: fails with a RewardLabelError that names the setting when none is set",
    async (kind) => {
      const sim = await start({ labels: 2 });
      const error = await createHttpRewardModel({ url: sim.url, kind })
        .score(items)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RewardLabelError);
      expect((error as Error).message).toContain(
        `returned 2 values per item (one per label); set --reward-label / TPO_REWARD_LABEL`,
      );
    },
  );

  it("keeps reading a one-label answer without a label index", async () => {
    const sim = await start({ seed: 2, poolingPerToken: true });
    expect(await createHttpRewardModel({ url: sim.url, kind: "vllm-pooling" }).score(items)).toEqual(
      expected(2),
    );
  });
});
