/**
 * `make bench`'s live-events step: the rate of a burst of tasks with clients following `/api/v1/events` (as open
 * pages do, reading what comes), against the rate without them. Each side runs twice, alternating (without, with,
 * without, with), and the faster run of each is its figure, as in the other steps: the shared machine's speed
 * drifts within a minute.
 */

export interface LiveRuns {
  /** Tasks a second, each run without clients. */
  readonly without: number[];
  /** Tasks a second, each run with the clients following. */
  readonly with: number[];
}

/** Runs `burst(round)` (it answers tasks a second) without and with `clients` followers of taskmaster at `url`. */
export async function liveBurst(
  url: string,
  clients: number,
  burst: (round: number) => Promise<number>,
): Promise<LiveRuns> {
  const runs: LiveRuns = { without: [], with: [] };
  for (let round = 0; round < 2; round++) {
    runs.without.push(await burst(2 * round));
    const followers = await follow(url, clients);
    try {
      runs.with.push(await burst(2 * round + 1));
    } finally {
      followers.abort();
    }
  }
  return runs;
}

/** `n` clients reading `/api/v1/events`; aborting the controller closes them all. */
async function follow(url: string, n: number): Promise<AbortController> {
  const controller = new AbortController();
  const responses = await Promise.all(
    Array.from({ length: n }, () => fetch(`${url}/api/v1/events`, { signal: controller.signal })),
  );
  for (const response of responses) {
    if (response.status !== 200) {
      controller.abort();
      throw new Error(`/api/v1/events answered ${response.status}: ${await response.text()}`);
    }
    void readAll(response.body as ReadableStream<Uint8Array>);
  }
  return controller;
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  try {
    while (!(await reader.read()).done) {}
  } catch {
    // Aborted at the end of the run.
  }
}
