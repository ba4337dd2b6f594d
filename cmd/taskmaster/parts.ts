/**
 * A role's parts, started in order and stopped in reverse. Each part is added once it has started, with what stops
 * it; a start that fails stops what had started, so nothing is left behind (a connection, a timer, a server). A stop
 * that fails is reported and the others still stop.
 */

export interface Parts {
  /** Starts a part; once started, `stop` is what stops it. */
  start<T>(name: string, start: () => Promise<T> | T, stop: (part: T) => Promise<void> | void): Promise<T>;
  /** Stops every part started, the last first. Idempotent. */
  stop(): Promise<void>;
}

export function startingParts(onStopError: (name: string, error: Error) => void): Parts {
  const started: { readonly name: string; readonly stop: () => Promise<void> | void }[] = [];
  let stopping: Promise<void> | undefined;
  let stopped = false;
  return {
    async start(name, start, stop) {
      if (stopped) throw new Error(`${name}: not started, the parts are stopping`);
      const part = await start();
      if (stopped) {
        // Started while the others stopped: it stops at once rather than outlive them.
        await stop(part);
        throw new Error(`${name}: stopped at once, the parts are stopping`);
      }
      started.push({ name, stop: () => stop(part) });
      return part;
    },
    stop() {
      stopped = true;
      stopping ??= (async () => {
        for (const part of started.reverse()) {
          try {
            await part.stop();
          } catch (err) {
            onStopError(part.name, err instanceof Error ? err : new Error(String(err)));
          }
        }
      })();
      return stopping;
    },
  };
}
