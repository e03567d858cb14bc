/**
 * Runs `worker` over the jobs with at most `concurrency` in flight: a worker takes the next job as
 * soon as it finishes one, with no barrier between chunks.
 */
export async function runPool<T>(
  jobs: T[],
  concurrency: number,
  worker: (job: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await worker(job);
    }
  });
  await Promise.all(lanes);
}
