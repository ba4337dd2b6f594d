/**
 * Who may use the API, from the config: the tokens (inline or from files), the host names requests may address, and
 * the rule that only loopback may go without tokens. Both roles apply them to the listener the user configured.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Tokens, tokenProblem } from "../../handler/index.ts";
import type { Config, HttpConfig } from "../../internal/config/index.ts";

export class HttpConfigError extends Error {
  override readonly name = "HttpConfigError";
}

/**
 * The tokens from `http.*_token` or `http.*_token_file` (a file's content, trimmed). A token that is set must be
 * one: a blank, short or spaced one is refused here, naming the key, rather than served (a blank one would even
 * open reads to everyone).
 */
export function tokensOf(config: Config, cwd: string): Tokens {
  const fromFile = (path: string, key: string) => {
    let token: string;
    try {
      token = readFileSync(resolve(cwd, path), "utf8").trim();
    } catch (err) {
      throw new HttpConfigError(`${key}: cannot read ${path}: ${(err as Error).message}`);
    }
    return checked(token, `${key} (${path})`);
  };
  const checked = (token: string, key: string) => {
    const problem = tokenProblem(token);
    if (problem) throw new HttpConfigError(`${key}: ${problem}`);
    return token;
  };
  const tokenOf = (inline: string, key: string, file: string) => {
    if (inline !== "") return checked(inline, key);
    return file === "" ? "" : fromFile(file, `${key}_file`);
  };
  return {
    read: tokenOf(config.http.readToken, "http.read_token", config.http.readTokenFile),
    admin: tokenOf(config.http.adminToken, "http.admin_token", config.http.adminTokenFile),
  };
}

/** The tokens read from `http.*_token_file`, for the logger to hide; a file that cannot be read adds none. */
export function tokenFileSecrets(config: Config, cwd: string): string[] {
  const files = [config.http.readTokenFile, config.http.adminTokenFile].filter((file) => file !== "");
  return files.flatMap((file) => {
    try {
      const token = readFileSync(resolve(cwd, file), "utf8").trim();
      return token === "" ? [] : [token];
    } catch {
      return []; // tokensOf reports it
    }
  });
}

/** The names requests may address beyond localhost and IP addresses: `http.allowed_hosts` and the listen host. */
export function allowedHosts(config: Config): string[] {
  const configured = config.http.allowedHosts.split(",").map((name) => name.trim());
  return [config.http.address.host, ...configured].filter((name) => name !== "");
}

/** Loopback addresses may serve without tokens; anything else needs both. */
export function checkExposure(http: HttpConfig, tokens: Tokens): void {
  const { host } = http.address;
  const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
  if (loopback || (tokens.read && tokens.admin)) return;
  throw new HttpConfigError(
    `http.listen is ${http.listen}, not a loopback address: set http.read_token and http.admin_token (or their _file variants) first, or listen on 127.0.0.1`,
  );
}
