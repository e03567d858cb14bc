/**
 * The simulated world: a deterministic stand-in for a policy and a reward model in which the
 * information flow of TPO matters. Each query has hidden quality aspects; the reward is how many
 * of them a response covers. A critique can name aspects the chosen response lacks (more often
 * when it can contrast it with a rejected response), a gradient turns named aspects into
 * suggestions, and an update that follows suggestions covers them with high probability.
 * It demonstrates the mechanics of TPO; it says nothing about real models.
 */
import { UPDATE_TAGS } from "../prompts/update.js";
import { hash32, pick, rng } from "./random.js";

export interface Aspect {
  phrase: string;
  weight: number;
}

export const ASPECT_PHRASES = [
  "a concrete example",
  "step-by-step instructions",
  "the main safety caveat",
  "the underlying reason",
  "common mistakes to avoid",
  "a short summary",
  "a pointer for further reading",
  "the key trade-off",
  "a realistic time estimate",
  "an alternative approach",
  "a definition of the key term",
  "a quick checklist",
  "the historical background",
  "a numeric estimate",
  "an edge case",
  "a comparison with a familiar case",
  "a practical tip",
  "the expected outcome",
  "a note on cost",
  "an honest limitation",
] as const;

/** Tunable probabilities of the simulated world. */
export const SIM_PARAMS = {
  aspectsPerQuery: 6,
  /** Chance that a first sample covers each aspect. */
  sampleCoverage: 0.35,
  /** Chance that a critique names an aspect the chosen response lacks, with and without a rejected response to contrast. */
  spotMissingWithContrast: 0.6,
  spotMissingAlone: 0.25,
  /** Chance that an update adds a suggested aspect, keeps one it had, or adds one nobody suggested. */
  followSuggestion: 0.85,
  keepCovered: 0.95,
  spontaneousCoverage: 0.05,
  /** Chance that an update wraps its response in the tags it was asked for. */
  useTags: 0.95,
  /** Words beyond which the reward is penalised, and the penalty per extra word. */
  lengthBudget: 110,
  lengthPenalty: 0.02,
  /** Half-width of the uniform reward noise. */
  noise: 0.15,
};

const OPENINGS = [
  "Here is a practical answer.",
  "Good question; here is how I would approach it.",
  "Let me answer this directly.",
  "Here is what matters most.",
  "A short, useful answer follows.",
];
const LEADS = ["It includes", "Consider", "Keep in mind", "Here is", "Do not skip"];
const DETAILS = [
  "this makes the answer easier to act on",
  "it fits most situations",
  "readers usually find this helpful",
  "this keeps the answer grounded",
  "it saves time later",
  "this is where people often get stuck",
];
const FILLERS = [
  "The details depend on your situation.",
  "There is more than one way to do this.",
  "Take it one piece at a time.",
  "Adjust as you go.",
  "Most people manage this without trouble.",
];

/** Sentences that lengthen an answer without covering any aspect: the bulk of a long answer. */
const PADDING = [
  "Each part of this can be done on its own schedule, and none of it needs special equipment.",
  "It helps to read the whole plan once before starting, so that nothing comes as a surprise.",
  "Small differences in circumstances change the details, but the overall shape stays the same.",
  "If something is unclear, it is usually worth slowing down rather than guessing.",
  "Many people find that writing the steps down makes them easier to follow later.",
  "The same approach works again next time, with a little less effort each round.",
];

/**
 * An answer lengthened to about `chars` characters with sentences that cover no aspect, as long as
 * real answers are; unchanged when `chars` is unset or the answer is already that long.
 */
export function lengthen(text: string, chars: number | undefined, random: () => number): string {
  if (chars === undefined) return text;
  const sentences = [text];
  let length = text.length;
  while (length < chars) {
    const sentence = pick(PADDING, random);
    sentences.push(sentence);
    length += sentence.length + 1;
  }
  return sentences.join(" ");
}

/** The text of the user turn a query is about: the last "User:" turn of a transcript, or all of it. */
export function queryKey(query: string): string {
  const marker = query.lastIndexOf("User: ");
  return (marker >= 0 ? query.slice(marker + "User: ".length) : query).trim();
}

export function aspectsOf(query: string): Aspect[] {
  const random = rng(hash32(queryKey(query)));
  const phrases = [...ASPECT_PHRASES];
  const chosen: Aspect[] = [];
  while (chosen.length < SIM_PARAMS.aspectsPerQuery) {
    const [phrase] = phrases.splice(Math.floor(random() * phrases.length), 1);
    chosen.push({ phrase, weight: 0.5 + random() });
  }
  return chosen;
}

/** Aspect phrases (of all known ones) that a text mentions. */
export function mentionedPhrases(text: string): string[] {
  const lower = text.toLowerCase();
  return ASPECT_PHRASES.filter((phrase) => lower.includes(phrase));
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function composeResponse(phrases: string[], random: () => number): string {
  const sentences = [pick(OPENINGS, random)];
  for (const phrase of phrases) sentences.push(`${pick(LEADS, random)} ${phrase}: ${pick(DETAILS, random)}.`);
  const fillers = Math.floor(random() * 3);
  for (let i = 0; i < fillers; i++) sentences.push(pick(FILLERS, random));
  return sentences.join(" ");
}

export function simSample(query: string, random: () => number): string {
  const covered = aspectsOf(query)
    .filter(() => random() < SIM_PARAMS.sampleCoverage)
    .map((a) => a.phrase);
  return composeResponse(covered, random);
}

function list(phrases: string[]): string {
  return phrases.length <= 1
    ? (phrases[0] ?? "")
    : `${phrases.slice(0, -1).join(", ")} and ${phrases.at(-1)}`;
}

export function simCritique(
  query: string,
  chosen: string,
  rejected: string | null,
  random: () => number,
): string {
  const has = new Set(mentionedPhrases(chosen));
  const rejectedHas = new Set(rejected === null ? [] : mentionedPhrases(rejected));
  const chance = rejected === null ? SIM_PARAMS.spotMissingAlone : SIM_PARAMS.spotMissingWithContrast;
  const missing = aspectsOf(query)
    .map((a) => a.phrase)
    .filter((p) => !has.has(p))
    .filter((p) => rejectedHas.has(p) || random() < chance);
  const lines: string[] = [];
  const subject = rejected === null ? "The response" : "The chosen response";
  lines.push(
    has.size > 0 ? `${subject} is helpful because it covers ${list([...has])}.` : `${subject} is thin.`,
  );
  if (rejected !== null) {
    const rejectedLacks = [...has].filter((p) => !rejectedHas.has(p));
    lines.push(
      rejectedLacks.length > 0
        ? `The rejected response is weaker: it lacks ${list(rejectedLacks)}.`
        : "The rejected response is weaker in tone and structure.",
    );
  }
  lines.push(
    missing.length > 0
      ? `Weakness: ${subject.toLowerCase()} does not mention ${list(missing)}.`
      : "Weakness: nothing important stands out as missing.",
  );
  return lines.join("\n");
}

export function simGradient(response: string, critique: string): string {
  const has = new Set(mentionedPhrases(response));
  const toAdd = mentionedPhrases(critique).filter((p) => !has.has(p));
  if (toAdd.length === 0) return "1. Keep the content and tighten the wording.";
  return toAdd.map((p, i) => `${i + 1}. Add ${p}.`).join("\n");
}

export function simUpdate(
  query: string,
  response: string,
  suggestions: string,
  random: () => number,
  answerChars?: number,
): string {
  const has = mentionedPhrases(response);
  const suggested = mentionedPhrases(suggestions).filter((p) => !has.includes(p));
  const others = aspectsOf(query)
    .map((a) => a.phrase)
    .filter((p) => !has.includes(p) && !suggested.includes(p));
  const phrases = [
    ...has.filter(() => random() < SIM_PARAMS.keepCovered),
    ...suggested.filter(() => random() < SIM_PARAMS.followSuggestion),
    ...others.filter(() => random() < SIM_PARAMS.spontaneousCoverage),
  ];
  const composed = composeResponse(phrases, random);
  const tagged = random() < SIM_PARAMS.useTags;
  const text = lengthen(composed, answerChars, random);
  return tagged ? `${UPDATE_TAGS.open}\n${text}\n${UPDATE_TAGS.close}` : text;
}

/** Aspect coverage (0 to 10), less a length penalty, plus noise seeded by the text. */
export function simReward(query: string, response: string, seed = 0): number {
  const aspects = aspectsOf(query);
  const total = aspects.reduce((sum, a) => sum + a.weight, 0);
  const lower = response.toLowerCase();
  const covered = aspects.filter((a) => lower.includes(a.phrase)).reduce((sum, a) => sum + a.weight, 0);
  const overLength = Math.max(0, wordCount(response) - SIM_PARAMS.lengthBudget);
  const noise = (rng(hash32(response, seed ^ 0x9e3779b9))() * 2 - 1) * SIM_PARAMS.noise;
  return (10 * covered) / total - SIM_PARAMS.lengthPenalty * overLength + noise;
}

export function between(text: string, open: string, close: string): string | null {
  const start = text.indexOf(open);
  if (start < 0) return null;
  const end = text.indexOf(close, start + open.length);
  return (end < 0 ? text.slice(start + open.length) : text.slice(start + open.length, end)).trim();
}

/**
 * Answers one prompt of the simulated world. It recognises the tagged sections of the built-in
 * prompt templates (query, response, critique, suggestions); any other prompt is a user query.
 */
export function simRespond(prompt: string, random: () => number, answerChars?: number): string {
  const query = between(prompt, "<query>", "</query>");
  if (query === null) return lengthen(simSample(prompt, random), answerChars, random);
  const suggestions = between(prompt, "<suggestions>", "</suggestions>");
  const critique = between(prompt, "<critique>", "</critique>");
  const response =
    between(prompt, "<chosen_response>", "</chosen_response>") ??
    between(prompt, "<response>", "</response>") ??
    "";
  if (suggestions !== null) return simUpdate(query, response, suggestions, random, answerChars);
  if (critique !== null) return simGradient(response, critique);
  return simCritique(query, response, between(prompt, "<rejected_response>", "</rejected_response>"), random);
}
