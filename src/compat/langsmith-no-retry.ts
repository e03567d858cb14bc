/**
 * An answer that LangSmith's client does not retry: its caller retries network errors and the
 * statuses 408, 425, 429 and 5xx for up to four attempts with exponential backoff, and gives up at
 * once on any other 4xx. A fetch that stands in this answer for a request it refuses to send ends
 * the client's call after one attempt, instead of minutes of retries that hold the process.
 *
 * Pinned by tests/compat-langsmith-no-retry.test.ts.
 */
export function notRetriedResponse(reason: string): Response {
  return new Response(JSON.stringify({ detail: reason }), {
    status: 400,
    statusText: "Upload stopped",
    headers: { "content-type": "application/json" },
  });
}
