import type { createMiddleware } from "langchain";
import { TpoConfigError } from "../errors.js";
import { firstLineOf, importModule, isModuleNotFound, type ImportModule } from "../util/optional-module.js";

export const LANGCHAIN_PACKAGE = "langchain";

/** The part of LangChain 1 that the middleware uses. */
export interface Langchain {
  createMiddleware: typeof createMiddleware;
}

/**
 * LangChain 1 (`langchain`), an optional peer dependency that only `langgraph-tpo/langchain`
 * loads; when it is missing, a one-line TpoConfigError says how to install it.
 */
export async function loadLangchain(load: ImportModule = importModule): Promise<Langchain> {
  try {
    const { createMiddleware } = (await load(LANGCHAIN_PACKAGE)) as Langchain;
    return { createMiddleware };
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    const message = firstLineOf(error);
    throw new TpoConfigError(
      message.includes(`'${LANGCHAIN_PACKAGE}'`)
        ? `langgraph-tpo/langchain needs the package ${LANGCHAIN_PACKAGE} (LangChain 1, for createAgent), an optional ` +
            `dependency of langgraph-tpo that is not installed: run \`npm install ${LANGCHAIN_PACKAGE}\` (${message}).`
        : `langgraph-tpo/langchain: ${LANGCHAIN_PACKAGE} cannot load: ${message}. Reinstall it: \`npm install ${LANGCHAIN_PACKAGE}\`.`,
      { cause: error },
    );
  }
}
