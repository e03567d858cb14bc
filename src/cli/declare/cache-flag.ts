/** The `--cache` flag of `tpo run`, `tpo batch` and `tpo worker` (light: `--help` loads it). */
export const CACHE_FLAG = [
  "--cache <file|postgres://url>",
  "keep reward scores and seeded responses in a SQLite file or a PostgreSQL database and reuse them: a request answered there is not sent (docs/cache.md)",
] as const;
