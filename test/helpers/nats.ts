/**
 * A nats-server per test file: the project's own local-server launcher (internal/bus), so tests and
 * `taskmaster dev` start servers the same way. Each test file starts its own and stops it in `afterAll`.
 */
export { type NatsServer, type StartNatsOptions, startNats } from "../../internal/bus/localserver.ts";
