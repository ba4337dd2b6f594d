/** The NATS side: connection, pipelined JetStream publishing, streams and consumers, the cron slot store. */
export { messageBytes } from "./bytes.ts";
export {
  connectionOptions,
  connectNats,
  type NatsSettings,
  NatsUrlError,
  type ServerList,
  serverList,
} from "./connect.ts";
export { consumeDurable, type Inbound, type Intake, storedAt } from "./consume.ts";
export { answerRequests, type ReloadReply, type Responder, reloadSubject } from "./control.ts";
export {
  ConnectAbortedError,
  type ConnectFailure,
  ConnectProblem,
  connectPersistently,
  type FirstConnectOptions,
  problemOf,
} from "./firstconnect.ts";
export { type Heartbeat, type HeartbeatOptions, instancesBucket, startHeartbeat } from "./instances.ts";
export {
  LastMessageError,
  type LastMessageOptions,
  LastMessageReader,
  LastMessageTimeoutError,
} from "./lastmessage.ts";
export { type NatsServer, type StartNatsOptions, startNats } from "./localserver.ts";
export { msgIdOf } from "./msgid.ts";
export {
  type MessageHeaders,
  messageHeaderBytes,
  type PubAck,
  Publisher,
  PublisherClosedError,
  type PublisherOptions,
} from "./publisher.ts";
export { isPermanentPublishThrow, isPermanentStreamError, PublishRefusedError } from "./refusal.ts";
export { kvSlotStore } from "./slots.ts";
export {
  type ConsumerSpec,
  ensureConsumer,
  ensureStream,
  type StreamLimits,
  type StreamOutcome,
  type StreamSpec,
  type StreamState,
} from "./streams.ts";
