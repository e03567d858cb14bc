import { z } from "zod";
import { TpoContextSchema } from "../settings/run-settings.js";
import { overCapLine, settingsOverCaps } from "../settings/caps.js";
import type { ServerCaps } from "./caps.js";

export { DEFAULT_SERVER_CAPS, type ServerCaps } from "./caps.js";

/**
 * The settings a request may ask for: unknown keys refused, capped fields at most their cap (checked
 * first, on the request's own values, so that width 100 is told this server's cap rather than the
 * schema's maximum).
 */
export function requestSettingsSchema(caps: ServerCaps) {
  const underCaps = (settings: unknown, ctx: z.RefinementCtx) => {
    if (typeof settings !== "object" || settings === null) return;
    for (const over of settingsOverCaps(settings, caps)) {
      ctx.addIssue({
        code: "custom",
        path: [over.field],
        input: over.value,
        message: overCapLine(over, "serve"),
      });
    }
  };
  return z.unknown().superRefine(underCaps).pipe(TpoContextSchema.strict());
}

export type RequestSettingsSchema = z.ZodType<z.output<typeof TpoContextSchema>>;
