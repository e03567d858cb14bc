import { TpoConfigError } from "../errors.js";

/** TPO_AFFINITY (--affinity) as a switch: on unless "off". */
export function affinityOf(settings: { affinity?: string }): boolean {
  const value = settings.affinity?.toLowerCase();
  if (value === undefined || value === "on") return true;
  if (value === "off") return false;
  throw new TpoConfigError(`TPO_AFFINITY (--affinity) must be "on" or "off", got "${settings.affinity}".`);
}
