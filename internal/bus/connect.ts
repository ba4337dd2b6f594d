/**
 * The NATS connection, with the options a long-running service needs: reconnect forever (the client's default gives
 * up after about 21 s of outage), a ping interval that notices a frozen server within seconds, a client name, and
 * the usual ways to authenticate, credentials inside the URLs included (the client does not read those itself).
 */
import { readFileSync } from "node:fs";
import {
  type Authenticator,
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
  nkeyAuthenticator,
} from "@nats-io/transport-node";

export interface NatsSettings {
  /** One URL or a comma-separated list; a URL may carry `user:pass@` or `token@`. */
  readonly url: string;
  readonly name: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  readonly nkeySeedFile?: string;
  readonly credsFile?: string;
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly connectTimeoutMs?: number;
}

/** Notices a frozen server in about 3 s (measured: the default settings took minutes). */
const pingIntervalMs = 1000;
const maxPingOut = 2;

/** A URL list that cannot be used as it is written. */
export class NatsUrlError extends Error {
  override readonly name = "NatsUrlError";
}

export interface ServerList {
  /** The URLs without their credentials: what the client is given, and what may be logged. */
  readonly servers: string[];
  readonly user?: string;
  readonly pass?: string;
  /** A URL with a user and no password (`nats://token@host`) carries a token, as the Go client reads it. */
  readonly token?: string;
}

/** `scheme://userinfo@rest`, the scheme being optional as it is for the client (`host:4222`). */
const withUserinfo = /^([a-z][a-z0-9+.-]*:\/\/)?([^@/]*)@(.*)$/i;

/**
 * The servers of a comma-separated URL list and the credentials its URLs carry. The client takes one set of
 * credentials for all servers, so URLs that carry different ones are refused.
 */
export function serverList(urls: string): ServerList {
  const servers: string[] = [];
  const found = new Set<string>();
  let credentials: Omit<ServerList, "servers"> = {};
  for (const written of urls.split(",")) {
    const url = written.trim();
    const match = withUserinfo.exec(url);
    if (!match) {
      servers.push(url);
      continue;
    }
    const [, scheme = "", info = "", rest = ""] = match;
    servers.push(`${scheme}${rest}`);
    found.add(info);
    const colon = info.indexOf(":");
    credentials =
      colon < 0
        ? { token: decode(info) }
        : { user: decode(info.slice(0, colon)), pass: decode(info.slice(colon + 1)) };
  }
  if (found.size > 1)
    throw new NatsUrlError(
      "nats.url: its servers carry different credentials; the client uses one set for all of them",
    );
  return { servers, ...credentials };
}

/** Percent-encoding undone (a password with `@` or `:` must be written encoded); text that is not encoding stays. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function connectionOptions(s: NatsSettings): NodeConnectionOptions {
  const list = serverList(s.url);
  const options: NodeConnectionOptions = {
    servers: list.servers,
    name: s.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    pingInterval: pingIntervalMs,
    maxPingOut,
    timeout: s.connectTimeoutMs ?? 5000,
    waitOnFirstConnect: false,
  };
  // The keys win over credentials in the URLs: a key is the more deliberate of the two.
  const fromKeys = s.user || s.pass || s.token;
  const user = fromKeys ? s.user : list.user;
  const pass = fromKeys ? s.pass : list.pass;
  const token = fromKeys ? s.token : list.token;
  if (user) options.user = user;
  if (pass) options.pass = pass;
  if (token) options.token = token;
  const authenticators: Authenticator[] = [];
  if (s.nkeySeedFile)
    authenticators.push(
      nkeyAuthenticator(new TextEncoder().encode(readFileSync(s.nkeySeedFile, "utf8").trim())),
    );
  if (s.credsFile) authenticators.push(credsAuthenticator(readFileSync(s.credsFile)));
  if (authenticators.length > 0) options.authenticator = authenticators;
  if (s.tlsCa || s.tlsCert || s.tlsKey) {
    options.tls = {
      ...(s.tlsCa ? { caFile: s.tlsCa } : {}),
      ...(s.tlsCert ? { certFile: s.tlsCert } : {}),
      ...(s.tlsKey ? { keyFile: s.tlsKey } : {}),
    };
  }
  return options;
}

export function connectNats(s: NatsSettings): Promise<NatsConnection> {
  return connect(connectionOptions(s));
}
