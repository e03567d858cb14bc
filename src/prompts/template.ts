/** A chat prompt: a system message and a user message, each with `{name}` placeholders. */
export interface PromptTemplate {
  system: string;
  user: string;
}

/**
 * Fills `{name}` placeholders in one pass, so braces inside the substituted texts (code, JSON)
 * are never read as placeholders. Unknown placeholders are left as they are.
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match,
  );
}
