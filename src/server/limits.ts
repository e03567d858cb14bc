import type { z } from "zod";
import { TpoConfigError } from "../errors.js";
import { parseTpoContext, TpoContextSchema, type TpoContextInput } from "../settings/run-settings.js";
import { CAPPED_SETTINGS, settingsOverCaps } from "../settings/caps.js";
import type { ServerCaps } from "./caps.js";

export { DEFAULT_SERVER_CAPS, type ServerCaps } from "./caps.js";

/** The settings a request may ask for: unknown keys refused, capped fields at most their cap. */
export function requestSettingsSchema(caps: ServerCaps) {
  return TpoContextSchema.strict().superRefine((settings, ctx) => {
    for (const { field, value, cap, flag } of settingsOverCaps(settings, caps)) {
      ctx.addIssue({
        code: "custom",
        path: [field],
        input: value,
        message: `${value} is more than this server allows: at most ${cap} (tpo serve ${flag})`,
      });
    }
  });
}

export type RequestSettingsSchema = z.ZodType<z.output<typeof TpoContextSchema>>;

/**
 * The server's defaults under its caps: a setting the caller left to the schema's default (width
 * 5, say) comes down to a lower cap; one the caller set above its cap is an error.
 */
export function cappedDefaults(defaults: TpoContextInput, caps: ServerCaps): TpoContextInput {
  const schemaDefaults = parseTpoContext({});
  const capped: TpoContextInput = { ...defaults };
  for (const [field, cap, flag] of CAPPED_SETTINGS) {
    const given = defaults[field];
    if (given !== undefined && given > caps[cap]) {
      throw new TpoConfigError(
        `startTpoServer: the default ${field} ${given} is above the cap of ${caps[cap]} (tpo serve ${flag}).`,
      );
    }
    if (given === undefined && schemaDefaults[field] > caps[cap]) capped[field] = caps[cap];
  }
  return capped;
}
