/**
 * The baseline of `make bench`: a raw relay with taskmaster's guarantees and none of its logic. It pulls done
 * messages from a durable consumer, publishes one message each with JetStream (pipelined, deduplicated by id), and
 * acks each done message after its publish was acked. Run as its own process: `relay.ts URL STREAM DURABLE OUT`.
 */
import { jetstream } from "@nats-io/jetstream";
import { connectNats, consumeDurable, Publisher } from "../../internal/bus/index.ts";

const [url = "", stream = "", durable = "", out = ""] = process.argv.slice(2);
const nc = await connectNats({ url, name: "bench-relay" });
const publisher = new Publisher(nc);
const intake = await consumeDurable(jetstream(nc), stream, durable, (m) => {
  publisher.publish(out, m.data, `relay-${m.seq}`).then(
    () => m.ack(),
    () => m.nak(1000),
  );
});
process.stdout.write("relay running\n");
process.once("SIGTERM", () => {
  void intake.stop().then(() => nc.drain().then(() => process.exit(0)));
});
