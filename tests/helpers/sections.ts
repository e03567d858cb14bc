/** The text of a tagged section (`<tag>\n…\n</tag>`) of a prompt, or null when the prompt has none. */
export function section(prompt: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(prompt);
  return match ? match[1] : null;
}
