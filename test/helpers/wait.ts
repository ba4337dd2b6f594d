/**
 * Waiting in tests for an event or a state instead of sleeping a fixed time: a fixed sleep is either too short on a
 * loaded machine (flaky) or too long everywhere (slow).
 */

export interface WaitOptions {
  /** How long to keep trying before failing; default 5 s. */
  readonly timeoutMs?: number;
  /** Pause between two checks; default 20 ms. */
  readonly intervalMs?: number;
  /** What was awaited, for the failure message. */
  readonly message?: string;
}

/**
 * Resolves once `predicate` returns true; rejects with `message` when it has not by the deadline. A predicate that
 * throws is treated as "not yet", and its last error is named in the failure, so a state that is still forming
 * (a stream not created yet) does not end the wait early.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`${options.message ?? "condition"} not met within ${timeoutMs} ms${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
