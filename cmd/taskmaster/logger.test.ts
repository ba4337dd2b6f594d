// The logger every command uses keeps the secrets of the config out of its lines, tokens read from files included.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../internal/config/index.ts";
import { commandLogger } from "./run.ts";

describe("commandLogger", () => {
  it("hides the tokens read from http.*_token_file and the config's own secrets", () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmaster-logger-"));
    writeFileSync(join(dir, "read.token"), "read-token-from-a-file-0123\n");
    writeFileSync(join(dir, "admin.token"), "admin-token-from-a-file-4567\n");
    const flags = [
      "--http.read_token_file",
      "read.token",
      "--http.admin_token_file",
      "admin.token",
      "--nats.pass",
      "nats-password-89",
    ];
    const { config } = resolveConfig({ env: {}, flags });
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = commandLogger(config, { cwd: dir }, destination);
    log.info(
      { header: "Bearer read-token-from-a-file-0123" },
      "asked with admin-token-from-a-file-4567 and nats-password-89",
    );
    const text = lines.join("");
    expect(text).toContain("asked with");
    expect(text).not.toContain("read-token-from-a-file-0123");
    expect(text).not.toContain("admin-token-from-a-file-4567");
    expect(text).not.toContain("nats-password-89");
  });
});
