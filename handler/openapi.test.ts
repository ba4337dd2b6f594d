// The OpenAPI document is valid OpenAPI 3.1, checked by a validator against the specification's own JSON schema.
// (app.test.ts checks that every documented route answers as documented.)
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openapi } from "./openapi.ts";

describe("the OpenAPI document", () => {
  it("validates against the OpenAPI 3.1 schema", async () => {
    const result = await new Validator().validate(structuredClone(openapi) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
