/** A run of words that both texts share, or that only the old or only the new text has. */
export interface DiffPart {
  type: "same" | "removed" | "added";
  text: string;
}

/** Above this many cells (old words × new words) the diff falls back to "all removed, all added". */
const MAX_TABLE_CELLS = 4_000_000;

/** Words with the whitespace that follows each, so that joining the tokens gives the text back. */
export function wordTokens(text: string): string[] {
  return text.match(/\s+|\S+\s*/g) ?? [];
}

function key(token: string): string {
  return token.trimEnd();
}

function push(parts: DiffPart[], type: DiffPart["type"], text: string): void {
  if (text === "") return;
  const last = parts.at(-1);
  if (last?.type === type) last.text += text;
  else parts.push({ type, text });
}

/** Longest common subsequence of two token lists (compared without trailing whitespace), as parts. */
function lcsParts(a: string[], b: string[]): DiffPart[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || n * m > MAX_TABLE_CELLS) {
    const parts: DiffPart[] = [];
    push(parts, "removed", a.join(""));
    push(parts, "added", b.join(""));
    return parts;
  }
  // lengths[i][j]: LCS length of a[i..] and b[j..], in one flat array.
  const width = m + 1;
  const lengths = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] =
        key(a[i]) === key(b[j])
          ? lengths[(i + 1) * width + j + 1] + 1
          : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const parts: DiffPart[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (key(a[i]) === key(b[j])) {
      push(parts, "same", b[j]);
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
      push(parts, "removed", a[i++]);
    } else {
      push(parts, "added", b[j++]);
    }
  }
  push(parts, "removed", a.slice(i).join(""));
  push(parts, "added", b.slice(j).join(""));
  return parts;
}

/**
 * A word-level diff from `before` to `after`: the shared prefix and suffix are cut first, the
 * middle is compared with a longest-common-subsequence table. Words compare without the
 * whitespace after them; shared words carry the new text's spacing.
 */
export function diffWords(before: string, after: string): DiffPart[] {
  const a = wordTokens(before);
  const b = wordTokens(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (
    end < a.length - start &&
    end < b.length - start &&
    a[a.length - 1 - end] === b[b.length - 1 - end]
  ) {
    end++;
  }
  const parts: DiffPart[] = [];
  push(parts, "same", b.slice(0, start).join(""));
  for (const part of lcsParts(a.slice(start, a.length - end), b.slice(start, b.length - end))) {
    push(parts, part.type, part.text);
  }
  push(parts, "same", b.slice(b.length - end).join(""));
  return parts;
}

/** How to show the changed runs: markers that work without colour, or colour alone. */
export interface DiffMarks {
  removed: (text: string) => string;
  added: (text: string) => string;
}

/** git's `--word-diff=plain` markers: `[-removed-]` and `{+added+}`. */
export const PLAIN_DIFF_MARKS: DiffMarks = {
  removed: (text) => `[-${text}-]`,
  added: (text) => `{+${text}+}`,
};

export interface RenderDiffOptions {
  /** Shared words kept on each side of a change; longer shared runs are elided with "…". Default: all. */
  context?: number;
  marks?: DiffMarks;
}

/**
 * Marks a changed run line by line, whitespace around each line's words left outside the marks
 * (`{+word+} next`, not `{+word +}next`), so that the result can be cut at any line.
 */
function mark(text: string, wrap: (text: string) => string): string {
  return text
    .split("\n")
    .map((line) => {
      const words = line.trim();
      if (words === "") return line;
      const start = line.indexOf(words);
      return line.slice(0, start) + wrap(words) + line.slice(start + words.length);
    })
    .join("\n");
}

function elide(text: string, context: number, keepStart: boolean, keepEnd: boolean): string {
  const tokens = wordTokens(text);
  const head = keepStart ? context : 0;
  const tail = keepEnd ? context : 0;
  if ((!keepStart && !keepEnd) || tokens.length <= head + tail + 1) return text;
  const start = tokens.slice(0, head).join("");
  const end = tokens.slice(tokens.length - tail).join("");
  return tail === 0 ? `${start}…` : `${start}… ${end}`;
}

/**
 * The diff as one text: changed runs marked, shared runs as they are, or (with `context`) cut
 * down to a few words around each change.
 */
export function renderDiff(parts: DiffPart[], options: RenderDiffOptions = {}): string {
  const marks = options.marks ?? PLAIN_DIFF_MARKS;
  return parts
    .map((part, index) => {
      // The new text's layout wins: a removed run ends in a space, whatever whitespace it had.
      if (part.type === "removed") return mark(part.text.replace(/\s+$/, " "), marks.removed);
      if (part.type === "added") return mark(part.text, marks.added);
      if (options.context === undefined) return part.text;
      const changeBefore = index > 0;
      const changeAfter = index < parts.length - 1;
      return elide(part.text, options.context, changeBefore, changeAfter);
    })
    .join("");
}
