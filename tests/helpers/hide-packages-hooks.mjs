// The loader hooks of hide-packages.mjs; they run on node's loader thread.
import process from "node:process";

const hidden = new Set((process.env.TPO_HIDE_PACKAGES ?? "").split(",").filter(Boolean));

export async function resolve(specifier, context, nextResolve) {
  if (hidden.has(specifier)) {
    const error = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL ?? "?"}`);
    error.code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
  return nextResolve(specifier, context);
}
