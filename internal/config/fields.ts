/**
 * Reading and writing a nested field by its path (`["nats", "connectTimeout"]`), the link between the flat schema
 * and the nested `Config`.
 */

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null;
}

export function getField(root: unknown, field: readonly string[]): unknown {
  let value = root;
  for (const name of field) {
    if (!isTable(value)) return undefined;
    value = value[name];
  }
  return value;
}

/** Sets a field, creating the tables above it; an undefined value leaves the field out. */
export function setField(root: Table, field: readonly string[], value: unknown): void {
  if (value === undefined) return;
  let table = root;
  for (const name of field.slice(0, -1)) {
    const inner = table[name];
    if (isTable(inner)) {
      table = inner;
    } else {
      const created: Table = {};
      table[name] = created;
      table = created;
    }
  }
  const last = field.at(-1);
  if (last !== undefined) table[last] = value;
}

export function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (isTable(inner)) deepFreeze(inner);
  }
  return Object.freeze(value);
}
