// The loader hooks of module-log.mjs; they run on node's loader thread.
import { appendFileSync } from "node:fs";
import process from "node:process";

export async function load(url, context, nextLoad) {
  if (process.env.TPO_MODULE_LOG) appendFileSync(process.env.TPO_MODULE_LOG, `${url}\n`);
  return nextLoad(url, context);
}
