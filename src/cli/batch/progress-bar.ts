import type { TpoMode } from "../../state/settings.js";
import { duration, fmt } from "../format.js";

export interface ProgressOptions {
  /** Draw a bar redrawn in place (a terminal) or print plain lines. */
  tty: boolean;
  /** How often a plain line is printed. */
  intervalMs?: number;
  write?: (text: string) => void;
}

/** A progress bar on a terminal, a plain line every few seconds elsewhere. */
export class BatchProgress {
  private done = 0;
  private failed = 0;
  private readonly best = new Map<TpoMode, { sum: number; n: number }>();
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private readonly write: (text: string) => void;
  private lastPlain = "";

  constructor(
    private readonly total: number,
    private readonly options: ProgressOptions,
  ) {
    this.write = options.write ?? ((text) => process.stderr.write(text));
  }

  start(): void {
    const interval = this.options.tty ? 1000 : (this.options.intervalMs ?? 5000);
    this.timer = setInterval(() => this.draw(), interval);
    this.timer.unref();
    if (this.options.tty) this.draw();
  }

  complete(mode: TpoMode | null, bestScore: number | null): void {
    this.done++;
    if (bestScore === null || mode === null) {
      this.failed++;
    } else {
      const entry = this.best.get(mode) ?? { sum: 0, n: 0 };
      this.best.set(mode, { sum: entry.sum + bestScore, n: entry.n + 1 });
    }
    if (this.options.tty) this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.draw(true);
    if (this.options.tty) this.write("\n");
  }

  /** The status without the bar: done/total, failures, rate, ETA, mean best so far per mode. */
  status(): string {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const left = this.total - this.done;
    const eta = rate > 0 ? duration((left / rate) * 1000) : "?";
    const means = [...this.best].map(([mode, { sum, n }]) => `${mode} ${fmt(sum / n)}`).join(", ");
    return (
      `${this.done}/${this.total} · ${this.failed} failed · ${rate.toFixed(2)}/s · ETA ${left === 0 ? "0s" : eta}` +
      ` · mean best ${means || "-"}`
    );
  }

  private draw(final = false): void {
    const status = this.status();
    if (!this.options.tty) {
      if (status !== this.lastPlain || final) this.write(`tpo batch: ${status}\n`);
      this.lastPlain = status;
      return;
    }
    const width = 24;
    const filled = this.total === 0 ? width : Math.round((this.done / this.total) * width);
    this.write(`\r\x1b[2K[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${status}`);
  }
}
