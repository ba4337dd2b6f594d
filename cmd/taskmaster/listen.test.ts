/** What the HTTP side reads from `http.listen`, resolved by the config into host and port. */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../internal/config/index.ts";
import { dashboardUrl } from "./alerts.ts";
import { allowedHosts, checkExposure } from "./http.ts";

const configWith = (listen: string, more: string[] = []) =>
  resolveConfig({ text: "", env: {}, flags: ["--http.listen", listen, ...more] }).config;
const noTokens = { read: "", admin: "" };

describe("the listen address as the HTTP side reads it", () => {
  it("serves an IPv6 loopback address without tokens and refuses every interface", () => {
    expect(() => checkExposure(configWith("[::1]:0").http, noTokens)).not.toThrow();
    expect(() => checkExposure(configWith(":8080").http, noTokens)).toThrow(
      "http.listen is :8080, not a loopback address: set http.read_token and http.admin_token",
    );
  });

  it("answers to the listen host, without brackets, and the configured names", () => {
    const config = configWith("[fd00::7]:8080", ["--http.allowed_hosts", "tm.example, tm"]);
    expect(allowedHosts(config)).toEqual(["fd00::7", "tm.example", "tm"]);
    expect(allowedHosts(configWith(":8080"))).toEqual([]);
  });

  it("links to the dashboard on the listen port", () => {
    expect(dashboardUrl(configWith("[::1]:9090", ["--host", "tm.example"]))).toBe(
      "http://tm.example:9090/web",
    );
  });
});
