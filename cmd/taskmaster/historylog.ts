/**
 * The history's own events as log lines: its mode changing (why, how far a rebuild is), a corrupt file moved aside, a
 * rebuild done, messages a stream dropped before the history read them. The rest (NATS, backups, alerts, errors)
 * are logged as the engine's are (`eventlog.ts`).
 */
import type { FollowEvent } from "../../internal/cache/index.ts";
import type { Logger } from "../../internal/log/index.ts";

export function logFollowEvent(log: Logger): (event: FollowEvent) => void {
  let mode = "";
  return (e) => {
    switch (e.type) {
      case "state": {
        const s = e.state;
        if (s.mode === mode) return;
        mode = s.mode;
        const fields = {
          mode: s.mode,
          path: s.path,
          behind: s.behind,
          ...(s.rebuild ? { rebuild: s.rebuild } : {}),
        };
        if (s.mode === "degraded") log.error(fields, `history degraded: ${s.reason}; retrying`);
        // A rebuild is what a new file starts with (a first start); a corrupt file was warned of when moved aside.
        else if (s.mode === "rebuilding")
          log.info(fields, `history rebuilding from the streams: ${s.reason}`);
        else log.info(fields, `history ${s.mode}`);
        return;
      }
      case "movedAside":
        log.warn({ path: e.path, aside: e.aside }, `history file moved aside: ${e.reason}`);
        return;
      case "rebuilt":
        log.info({ messages: e.messages, ms: e.ms }, "history rebuilt from the streams");
        return;
      case "lost":
        log.error(
          { stream: e.stream, from: e.from, to: e.to },
          `${e.to - e.from + 1} messages of ${e.stream} were dropped by the stream before the history read them`,
        );
    }
  };
}
