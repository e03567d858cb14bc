import type { QueryDetail } from "../../report-data.js";

async function inflate(base64: string): Promise<string> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).text();
}

/**
 * The queries' stories, read from their block (see storyChunks): a line of base64 per compressed
 * chunk; a chunk is inflated when one of its queries is opened, and kept.
 */
export class Stories {
  private lines: string[] | null = null;
  private readonly chunks = new Map<number, Promise<string[]>>();

  constructor(
    private readonly block: () => HTMLElement | null,
    private readonly perChunk: number,
  ) {}

  private async inflateChunk(k: number): Promise<string[]> {
    // The block follows the script: it is all there once the document is parsed.
    if (document.readyState === "loading") {
      await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
    }
    this.lines ??= (this.block()?.textContent ?? "").split("\n");
    const line = this.lines[k];
    return line ? (await inflate(line)).split("\n") : [];
  }

  private chunk(k: number): Promise<string[]> {
    let chunk = this.chunks.get(k);
    if (!chunk) {
      chunk = this.inflateChunk(k);
      this.chunks.set(k, chunk);
    }
    return chunk;
  }

  /** The story of the query at `index` of the rows; null when the page has none. */
  async query(index: number): Promise<QueryDetail | null> {
    if (!Number.isInteger(index) || index < 0 || !(this.perChunk >= 1)) return null;
    const lines = await this.chunk(Math.floor(index / this.perChunk));
    const line = lines[index % this.perChunk];
    return line ? (JSON.parse(line) as QueryDetail) : null;
  }
}
