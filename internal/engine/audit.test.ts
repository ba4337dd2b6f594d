import { describe, expect, it } from "vitest";
import { auditMessage, auditSubject, recordAction } from "./audit.ts";

const at = new Date("2024-01-15T10:20:30.123Z");
const entry = { action: "rerun", actor: "admin@10.0.0.1", detail: { id: "t1" }, outcome: "ok", tasks: 1 };

describe("the audit record of an action", () => {
  it("stores who, what, the detail as JSON text, the outcome and when", () => {
    const { record, data } = auditMessage(entry, at);
    expect(record).toEqual({ ...entry, detail: '{"id":"t1"}', at });
    expect(JSON.parse(new TextDecoder().decode(data))).toEqual({
      ...entry,
      detail: '{"id":"t1"}',
      at: "2024-01-15T10:20:30.123Z",
    });
  });

  it("gives the same action at the same moment the same id, and any other action another", () => {
    const id = auditMessage(entry, at).msgId;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(auditMessage({ ...entry }, new Date(at)).msgId).toBe(id);
    expect(auditMessage({ ...entry, detail: { id: "t2" } }, at).msgId).not.toBe(id);
    expect(auditMessage(entry, new Date(at.getTime() + 1)).msgId).not.toBe(id);
  });

  it("records an action without detail as an empty object", () => {
    expect(auditMessage({ ...entry, detail: undefined }, at).record.detail).toBe("{}");
  });

  it("is published on the audit subject with its id", async () => {
    const sent: { subject: string; msgId: string }[] = [];
    const outbox = {
      publish: async (subject: string, _data: Uint8Array, msgId: string) => {
        sent.push({ subject, msgId });
        return { stream: "TASKMASTER_AUDIT", seq: 1, duplicate: false } as never;
      },
    };
    const record = await recordAction(outbox, entry, at);
    expect(record.action).toBe("rerun");
    expect(sent).toEqual([{ subject: auditSubject, msgId: auditMessage(entry, at).msgId }]);
  });
});
