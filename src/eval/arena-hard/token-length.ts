/**
 * Counts tokens as arena-hard-auto's utils/add_markdown_info.py does for an answer's `token_len`:
 * tiktoken's encoding for gpt-4o (o200k_base), special tokens' text encoded as ordinary text
 * (`disallowed_special=()`). The encoding's ranks (2 MB) load on the first call, not on import.
 */
export async function gpt4oTokenCounter(): Promise<(text: string) => number> {
  const [{ Tiktoken }, { default: o200k }] = await Promise.all([
    import("js-tiktoken/lite"),
    import("js-tiktoken/ranks/o200k_base"),
  ]);
  const encoding = new Tiktoken(o200k);
  return (text) => encoding.encode(text, [], []).length;
}
