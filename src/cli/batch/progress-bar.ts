import type { TpoMode } from "../../settings/run-settings.js";
import { duration, formatNumber } from "../../util/number-format.js";

export interface ProgressOptions {
  /** Draw a bar redrawn in place (a terminal) or print plain lines. */
  tty: boolean;
  /** How often a plain line is printed. */
  intervalMs?: number;
  /** Where it is drawn: the command's standard error. */
  write: (text: string) => void;
}

export interface ProgressBarOptions extends ProgressOptions {
  /** What plain lines start with: the command ("tpo batch"). */
  label: string;
  /** What the command adds after the ETA (the mean best so far, the wins so far). */
  detail?: () => string;
}

/**
 * A progress bar on a terminal, a plain line every few seconds elsewhere: done/total, failures,
 * rate and ETA, then the command's own detail. `tpo batch` and `tpo compare` draw it.
 */
export class ProgressBar {
  private done = 0;
  private failed = 0;
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private readonly write: (text: string) => void;
  private lastPlain = "";

  constructor(
    private readonly total: number,
    private readonly options: ProgressBarOptions,
  ) {
    this.write = options.write;
  }

  start(): void {
    const interval = this.options.tty ? 1000 : (this.options.intervalMs ?? 5000);
    this.timer = setInterval(() => this.draw(), interval);
    this.timer.unref();
    if (this.options.tty) this.draw();
  }

  /** One unit of work finished, or failed. */
  tick(failed = false): void {
    this.done++;
    if (failed) this.failed++;
    if (this.options.tty) this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.draw(true);
    if (this.options.tty) this.write("\n");
  }

  /** The status without the bar: done/total, failures, rate, ETA, then the command's detail. */
  status(): string {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const left = this.total - this.done;
    const eta = rate > 0 ? duration((left / rate) * 1000) : "?";
    const detail = this.options.detail?.();
    return (
      `${this.done}/${this.total} · ${this.failed} failed · ${rate.toFixed(2)}/s · ETA ${left === 0 ? "0s" : eta}` +
      (detail ? ` · ${detail}` : "")
    );
  }

  private draw(final = false): void {
    const status = this.status();
    if (!this.options.tty) {
      if (status !== this.lastPlain || final) this.write(`${this.options.label}: ${status}\n`);
      this.lastPlain = status;
      return;
    }
    const width = 24;
    const filled = this.total === 0 ? width : Math.round((this.done / this.total) * width);
    this.write(`\r\x1b[2K[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${status}`);
  }
}

/** `tpo batch`'s progress: the bar, with the mean best score so far per mode. */
export class BatchProgress {
  private readonly best = new Map<TpoMode, { sum: number; n: number }>();
  private readonly bar: ProgressBar;

  /** `more` adds to the line after the mean best (`tpo batch --queue`: the workers active). */
  constructor(total: number, options: ProgressOptions, more?: () => string) {
    const detail = () => [this.meanBest(), more?.()].filter(Boolean).join(" · ");
    this.bar = new ProgressBar(total, { ...options, label: "tpo batch", detail });
  }

  start(): void {
    this.bar.start();
  }

  complete(mode: TpoMode | null, bestScore: number | null): void {
    if (bestScore !== null && mode !== null) {
      const entry = this.best.get(mode) ?? { sum: 0, n: 0 };
      this.best.set(mode, { sum: entry.sum + bestScore, n: entry.n + 1 });
    }
    this.bar.tick(bestScore === null || mode === null);
  }

  stop(): void {
    this.bar.stop();
  }

  status(): string {
    return this.bar.status();
  }

  private meanBest(): string {
    const means = [...this.best].map(([mode, { sum, n }]) => `${mode} ${formatNumber(sum / n)}`).join(", ");
    return `mean best ${means || "-"}`;
  }
}
