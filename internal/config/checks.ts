/**
 * Checks on string settings: NATS server URLs, `host:port` addresses, subjects, stream names, web URLs and backup
 * locations. Each returns undefined when the value is fine, or a message that says what is wrong and what would be
 * right.
 */

import { parseBucketPrefix, schemeOf } from "../bucket/index.ts";
import type { ListenAddress } from "./types.ts";
import { hideUrlCredentials } from "./userinfo.ts";

const natsSchemes = new Set(["nats:", "tls:", "ws:", "wss:"]);

/**
 * One URL or a comma-separated list, as the NATS clients take it. Credentials in the URLs must be the same in each
 * (the client logs in to every server with one set); messages show the URLs with their passwords hidden.
 */
export function checkNatsUrls(text: string): string | undefined {
  const urls = text.split(",").map((url) => url.trim());
  const credentials = new Set<string>();
  for (const url of urls) {
    if (url === "") return "expected a server URL such as nats://127.0.0.1:4222, got an empty entry";
    const problem = checkNatsUrl(hideUrlCredentials(url), url);
    if (problem !== undefined) return problem;
    const { username, password } = new URL(url);
    if (username || password) credentials.add(`${username}:${password}`);
  }
  if (credentials.size > 1)
    return "its URLs carry different credentials, but the client logs in to every server with one set: write the same in each, or use nats.user and nats.pass";
  return undefined;
}

/** The problem with `url`, named as `shown` (the URL with its password hidden). */
function checkNatsUrl(shown: string, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${shown}" is not a URL; write nats://host:4222 (tls://, ws:// and wss:// also work)`;
  }
  if (!natsSchemes.has(parsed.protocol)) {
    return `"${shown}" is not a NATS URL: the scheme must be nats://, tls://, ws:// or wss://`;
  }
  if (parsed.hostname === "") return `"${shown}" names no host; write nats://host:4222`;
  return undefined;
}

/**
 * `host:port`, `[ipv6]:port` or `:port` (every interface) as host and port, or what is wrong with it. The port is
 * 0–65535; 0 lets the system choose a free one.
 */
export function parseListen(text: string): ListenAddress | string {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match !== null && port <= 65535) return { host: match[1] ?? match[2] ?? "", port };
  if (/^[^[]*:[^[]*:/.test(text)) {
    return `expected host:port, got "${text}": write an IPv6 address in brackets, such as [::1]:8080`;
  }
  return `expected host:port such as 127.0.0.1:8080, [::1]:8080 or :8080 (every interface), got "${text}"`;
}

export function checkListen(text: string): string | undefined {
  const address = parseListen(text);
  return typeof address === "string" ? address : undefined;
}

/** `host:port` again, an IPv6 host in brackets. */
export function formatListen(address: ListenAddress): string {
  return `${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port}`;
}

/** A comma-separated list of host names (or "" for none): names only, no scheme, port or path. */
export function checkHostNames(text: string): string | undefined {
  if (text.trim() === "") return undefined;
  for (const name of text.split(",").map((n) => n.trim())) {
    if (name === "")
      return `expected host names such as taskmaster.example.com, got an empty entry in "${text}"`;
    if (!/^[\w-]+(\.[\w-]+)*\.?$/.test(name))
      return `"${name}" is not a host name: write the name alone (taskmaster.example.com), without scheme, port or path`;
  }
  return undefined;
}

/** An IANA time zone name the runtime knows (UTC, Europe/Paris ...). */
export function checkZone(text: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: text });
    return undefined;
  } catch {
    return `expected an IANA time zone such as UTC or Europe/Paris, got "${text}"`;
  }
}

/** Characters that cannot appear in a subject a task is published to. */
const badSubject = /[\s*>]/;

/** A full subject to publish to or consume from: dot-separated tokens, no wildcards, no spaces. */
export function checkSubject(text: string): string | undefined {
  if (text === "") return "expected a subject such as done, got an empty string";
  if (badSubject.test(text) || text.split(".").includes("")) {
    return `"${text}" is not a NATS subject: use dot-separated tokens without spaces, * or >`;
  }
  return undefined;
}

/** A topic that "" or "-" turns off (the "-" is already gone by now). */
export function checkOptionalSubject(text: string): string | undefined {
  return text === "" ? undefined : checkSubject(text);
}

/** Put before a task's subject as is, so `tasks.` gives `tasks.<type>`; "" for none. */
export function checkSubjectPrefix(text: string): string | undefined {
  if (text === "") return undefined;
  if (badSubject.test(text) || text.startsWith(".") || text.includes("..")) {
    return `"${text}" cannot start a NATS subject: no spaces, * or >, and no empty tokens (write e.g. "tasks.")`;
  }
  return undefined;
}

/** JetStream stream names: no spaces, dots, wildcards or path separators. */
export function checkStreamName(text: string): string | undefined {
  if (!/^[^\s.*>/\\]+$/.test(text)) {
    return `"${text}" is not a stream name: use letters, digits, - and _ (no spaces, dots, *, > or slashes)`;
  }
  return undefined;
}

/** A JetStream KV bucket name: what nats.js accepts. */
export function checkBucketName(text: string): string | undefined {
  if (!/^[-\w]+$/.test(text)) return `"${text}" is not a KV bucket name: use letters, digits, - and _`;
  return undefined;
}

/** An http(s) URL, or "" for none. */
export function checkOptionalHttpUrl(text: string): string | undefined {
  return text === "" ? undefined : checkHttpUrl(text);
}

/** An http(s) URL. */
export function checkHttpUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return undefined;
  } catch {
    // Reported below like any other non-http URL.
  }
  return "expected an http:// or https:// URL";
}

export function checkNotEmpty(text: string): string | undefined {
  return text.trim() === "" ? "must not be empty" : undefined;
}

/**
 * `cache.backup_path`: a folder (a path or file:///path), `s3://bucket/prefix` or `gs://bucket/prefix`, or "" for
 * none. Any other scheme would be taken for nothing at all and leave the cache without backups.
 */
export function checkBackupPath(text: string): string | undefined {
  const given = text.trim();
  const scheme = schemeOf(given);
  if (scheme === undefined) return undefined;
  if (scheme === "file") {
    return given.slice("file://".length).startsWith("/")
      ? undefined
      : "a file:// location needs an absolute path";
  }
  if (scheme === "s3" || scheme === "gs") {
    const parsed = parseBucketPrefix(given);
    return "error" in parsed ? parsed.error : undefined;
  }
  return `"${scheme}://" is not supported; give a folder, s3://bucket/prefix or gs://bucket/prefix`;
}
