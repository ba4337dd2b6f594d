import { describe, expect, it } from "vitest";
import { tokenProblem } from "./auth.ts";

describe("tokens at start-up", () => {
  it("refuses blank, spaced and short tokens, saying why", () => {
    expect(tokenProblem("                    ")).toBe("the token is blank");
    expect(tokenProblem("sixteen chars ok but spaced")).toBe(
      "the token holds whitespace, which an Authorization: Bearer header cannot carry",
    );
    expect(tokenProblem("adm")).toBe(
      "the token is 3 characters long; use at least 16 (openssl rand -base64 24 makes one)",
    );
    expect(tokenProblem("0123456789abcdef")).toBeUndefined();
  });
});
