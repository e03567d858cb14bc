/** A ZodError's issues on one line: `helpfulness: expected number, received string; clarity: …`. */
export function zodIssues(error: unknown): string | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const issues = (e as { issues?: unknown }).issues;
    if (!/^\$?ZodError$/.test(e.name) || !Array.isArray(issues)) continue;
    return issues
      .slice(0, 5)
      .map((issue: { path?: unknown[]; message?: unknown }) => {
        const path = Array.isArray(issue.path) && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
        return `${path}${String(issue.message ?? "invalid").replace(/^Invalid input: /, "")}`;
      })
      .join("; ")
      .concat(issues.length > 5 ? `; and ${issues.length - 5} more` : "");
  }
  return null;
}
