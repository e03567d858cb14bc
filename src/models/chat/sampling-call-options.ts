import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { innerChatModels, viewWithFields } from "../../compat/chat-model-view.js";
import type { SamplingCallOptions } from "./sample-responses.js";

/**
 * How TPO's sampling settings reach a LangChain chat model.
 *
 * A model that lists a setting in its `callKeys` ("keys that the language model accepts as call
 * options") reads it from the call options: our own models do. Most LangChain chat models
 * (ChatOpenAI, AzureChatOpenAI, ChatAnthropic, ChatOllama) read these settings from fields set at
 * construction instead. For those, each request goes to a view of the model: an object whose
 * prototype is the model and whose own properties hold the request's settings, so the model's
 * methods run unchanged and read the settings from `this`, while the model itself is never written
 * to. A model that delegates to inner chat models kept in its properties (ChatOpenAI's
 * `completions` and `responses`) gets views of those too (src/compat/chat-model-view.ts makes them).
 *
 * Known limit: a model that copies its fields into a client at construction (e.g.
 * ChatGoogleGenerativeAI's generationConfig) is not reached this way, and cannot be told apart.
 */

/** The numeric settings; `stop` is a call option of every LangChain chat model and needs no view. */
export type SamplingSetting = Exclude<keyof SamplingCallOptions, "stop">;

/** Every sampling setting, by its call-option name. A model that lists them all in `callKeys` gets no view. */
export const SAMPLING_CALL_KEYS: readonly SamplingSetting[] = [
  "temperature",
  "topP",
  "maxTokens",
  "seed",
  "n",
];

/**
 * The fields that LangChain chat models keep each setting in: ChatOpenAI and AzureChatOpenAI
 * (temperature, topP, maxTokens, n; seed is one of their call options), ChatAnthropic (temperature,
 * topP, maxTokens), ChatOllama (temperature, topP, numPredict, seed).
 */
const SETTING_FIELDS: Record<SamplingSetting, readonly string[]> = {
  temperature: ["temperature"],
  topP: ["topP"],
  maxTokens: ["maxTokens", "numPredict"],
  seed: ["seed"],
  n: ["n"],
};

export interface SamplingTarget {
  /** The model to send the request to: the model itself, or a view of it with the settings as fields. */
  model: BaseChatModel;
  /** Settings of the request that the model takes neither as a call option nor as a field. */
  ignored: SamplingSetting[];
}

/**
 * A view of `model` whose fields hold `settings`; the model itself when it needs none. Settings
 * that the model takes as call options are left to them, also for its inner models. Records in
 * `taken` which settings reached the model, and how.
 */
function viewOf(
  model: BaseChatModel,
  settings: Partial<Record<SamplingSetting, number>>,
  taken: Map<SamplingSetting, "call option" | "field">,
  seen: Set<BaseChatModel>,
): BaseChatModel {
  seen.add(model);
  const callKeys = model.callKeys;
  const fields: Record<string, unknown> = {};
  const forInner: Partial<Record<SamplingSetting, number>> = {};
  for (const [setting, value] of Object.entries(settings) as [SamplingSetting, number][]) {
    if (callKeys.includes(setting)) {
      taken.set(setting, "call option");
      continue;
    }
    forInner[setting] = value;
    for (const field of SETTING_FIELDS[setting].filter((name) => name in model)) {
      fields[field] = value;
      if (!taken.has(setting)) taken.set(setting, "field");
    }
  }
  if (Object.keys(forInner).length > 0) {
    for (const [key, inner] of innerChatModels(model)) {
      if (seen.has(inner)) continue;
      const view = viewOf(inner, forInner, taken, seen);
      if (view !== inner) fields[key] = view;
    }
  }
  return Object.keys(fields).length === 0 ? model : viewWithFields(model, fields);
}

/**
 * The model to send one request with these settings to, never changing `model` itself: the model
 * when it takes every setting as a call option (the call options are sent anyway), otherwise a
 * view with the other settings in its fields. `n` of 1 is every model's default and never ignored.
 */
export function modelWithSampling(model: BaseChatModel, options: SamplingCallOptions): SamplingTarget {
  const settings: Partial<Record<SamplingSetting, number>> = {};
  for (const setting of SAMPLING_CALL_KEYS) {
    const value = options[setting];
    if (value !== undefined) settings[setting] = value;
  }
  const taken = new Map<SamplingSetting, "call option" | "field">();
  let target = viewOf(model, settings, taken, new Set());
  if ((options.n ?? 1) > 1 && taken.get("n") === "field" && !target.disableStreaming) {
    // A streaming callback (LangGraph's "messages" mode) makes BaseChatModel stream and join every
    // chunk into one message: the n choices would become one text.
    target = viewWithFields(target, { disableStreaming: true });
  }
  const ignored = (Object.keys(settings) as SamplingSetting[]).filter(
    (setting) => !taken.has(setting) && !(setting === "n" && settings.n === 1),
  );
  return { model: target, ignored };
}

/** Settings already warned about, per model. */
const warned = new WeakMap<BaseChatModel, Set<SamplingSetting>>();

function list(names: string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * Warns that `model` cannot take some settings, through `process.emitWarning` (type
 * "TpoSettingsWarning", code "TPO_SETTINGS_IGNORED"; Node prints it on stderr, and
 * `process.on("warning")` or `--no-warnings` handle it). Each setting is named once per model
 * object: a run, or a batch of runs with the same model, warns once, not once per request.
 */
export function warnIgnoredSettings(model: BaseChatModel, ignored: readonly SamplingSetting[]): void {
  let seen = warned.get(model);
  const fresh = ignored.filter((setting) => !seen?.has(setting));
  if (fresh.length === 0) return;
  if (!seen) warned.set(model, (seen = new Set()));
  for (const setting of fresh) seen.add(setting);
  process.emitWarning(
    `${model.getName()} cannot take the sampling setting${fresh.length > 1 ? "s" : ""} ${list(fresh)}: ` +
      `it has no field for ${fresh.length > 1 ? "them" : "it"} and does not list ${fresh.length > 1 ? "them" : "it"} ` +
      `as a call option (callKeys), so its requests go without ${fresh.length > 1 ? "them" : "it"}.`,
    { type: "TpoSettingsWarning", code: "TPO_SETTINGS_IGNORED" },
  );
}
