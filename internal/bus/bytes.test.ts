import { describe, expect, it } from "vitest";
import { messageBytes } from "./bytes.ts";

describe("messageBytes", () => {
  it("gives the UTF-8 bytes of any text, as a Uint8Array the NATS client takes", () => {
    for (const text of ["", '{"type":"a","info":"?day=2024-01-15"}', "prélèvement ✓ 日本 🚀"]) {
      const bytes = messageBytes(text);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect([...bytes]).toEqual([...new TextEncoder().encode(text)]);
      expect(new TextDecoder().decode(bytes)).toBe(text);
    }
  });
});
