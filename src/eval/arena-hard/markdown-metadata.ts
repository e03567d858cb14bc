/**
 * The markdown counts of arena-hard-auto's utils/add_markdown_info.py for one answer, code blocks'
 * contents removed first (as that script does: it removes what lies between ``` fences, not the
 * fences). `token_len` is not computed here: it needs the judge's tokenizer (tiktoken in the
 * official script); the caller adds it.
 */
export function markdownCounts(answer: string) {
  let text = answer;
  for (const match of answer.matchAll(/```([^`]*)```/g)) text = text.split(match[1]!).join("");
  const count = (pattern: RegExp) => (text.match(pattern) ?? []).length;
  const header = (level: number) => count(new RegExp(`^#{${level}}\\s`, "gm"));
  return {
    header_count: {
      h1: header(1),
      h2: header(2),
      h3: header(3),
      h4: header(4),
      h5: header(5),
      h6: header(6),
    },
    list_count: { ordered: count(/^\s*\d+\.\s/gm), unordered: count(/^\s*[-*+]\s/gm) },
    bold_count: { "**": count(/\*\*[^*\n]+\*\*/g), __: count(/__[^_\n]+__/g) },
  };
}
