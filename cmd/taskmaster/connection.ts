/**
 * The service's connection to NATS: its state as the status events tell it, and the drain at the end.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { EngineEvents } from "../../internal/engine/index.ts";

export type NatsState = "connected" | "disconnected" | "reconnecting" | "closed";

/** NATS did not let the connection drain (it is away): the connection was closed instead. */
export class NatsDrainError extends Error {
  override readonly name = "NatsDrainError";
}

/**
 * Drains the connection. When NATS is away that cannot be done: the connection is closed instead, so that no
 * reconnecting goes on, and the failure is reported (what was not acknowledged is delivered again later).
 */
export async function closeConnection(nc: NatsConnection): Promise<void> {
  try {
    await nc.drain();
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw new NatsDrainError(
      `NATS could not be drained (${(err as Error).message}); the connection was closed, and messages not acknowledged will be delivered again`,
      { cause: err },
    );
  }
}

/** Follows the connection's status, reporting each change as a `natsStatus` event. */
export async function watchStatus(
  nc: NatsConnection,
  events: EngineEvents,
  set: (s: NatsState) => void,
): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === "disconnect") set("disconnected");
    else if (status.type === "reconnecting") set("reconnecting");
    else if (status.type === "reconnect") set("connected");
    else if (status.type === "close") set("closed");
    else continue;
    const detail = "server" in status ? String(status.server) : "";
    events.emit({ type: "natsStatus", status: status.type, detail });
  }
  set("closed");
}
