import type { CandidateData, IterationData } from "./report-data.js";

/** What the playground page is given by the server: the models, the token rule, the settings' form. */
export interface PlaygroundConfig {
  /** Model names a request may name; the first is the default. */
  models: string[];
  /** Whether requests need the server's API key as a bearer token. */
  tokenRequired: boolean;
  /** A note shown at the top (e.g. that the models are the simulated world's). */
  note: string | null;
  /** The run settings a request may set, within the server's caps, main ones first. */
  fields: SettingField[];
}

/** A run setting as a form field. */
export interface SettingField {
  name: string;
  kind: "integer" | "number" | "choice" | "text";
  description: string;
  /** The server's default, shown and left out of the request unless changed. */
  default: string | number | null;
  min: number | null;
  max: number | null;
  /** For "choice". */
  options: string[];
  /** Shown at once (width, depth, mode); the others under "more settings". */
  main: boolean;
}

/**
 * The run's progress as the server streams it to the playground (`tpo.progress: "events"`): SSE
 * events named `tpo`, before the answer's usual chat.completion.chunk events.
 */
export type PlaygroundEvent =
  | {
      type: "iteration.started";
      iteration: number;
      mode: string;
      width: number;
      depth: number;
      /** The pair the iteration critiques (ids of candidates sent earlier); null for iteration 0. */
      chosen: string | null;
      rejected: string | null;
    }
  | { type: "critique"; iteration: number; text: string }
  | { type: "gradient"; iteration: number; text: string }
  | {
      type: "iteration";
      iteration: IterationData;
      /** The candidates this iteration wrote, scored. */
      candidates: CandidateData[];
      /** The run's cost so far. */
      usage: { requests: number; tokens: number };
    }
  | { type: "stopped"; reason: string; iteration: number };

/** The SSE event name of playground events. */
export const PLAYGROUND_EVENT = "tpo";
export const PLAYGROUND_CONFIG_ID = "tpo-playground-config";
