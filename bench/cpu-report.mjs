// Bench-only: `node --import ./bench/cpu-report.mjs …` writes the process's own CPU time and peak
// RSS to the file named by TPO_BENCH_CPU_FILE when it exits, however it exits.
import { writeFileSync } from "node:fs";
import process from "node:process";

const file = process.env.TPO_BENCH_CPU_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        userMs: usage.userCPUTime / 1000,
        systemMs: usage.systemCPUTime / 1000,
        maxRssKb: usage.maxRSS,
      }),
    );
  });
}
