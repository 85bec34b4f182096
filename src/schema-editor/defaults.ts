// A column default as typed into the form: NULL, CURRENT_TIMESTAMP, a number, true/false, or text.
// Text becomes a string literal quoted by the engine; nothing typed here is ever pasted into SQL as written.
import type { ColumnTypeDef, DefaultSpec } from "./model.ts";

export type DefaultCheck = { ok: true; value: DefaultSpec } | { ok: false; message: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER = /^[+-]?\d+$/;

/**
 * Reads the default field. Empty means no default; wrap text in single quotes to store the words NULL or
 * CURRENT_TIMESTAMP (or leading/trailing spaces) as text.
 */
export function parseDefault(typed: string, family: ColumnTypeDef["family"]): DefaultCheck {
  if (typed === "") return { ok: true, value: { kind: "none" } };
  const text = typed.trim();
  if (/^null$/i.test(text)) return { ok: true, value: { kind: "null" } };
  if (/^(current_timestamp|now)(\(\))?$/i.test(text)) {
    if (family !== "timestamp") return { ok: false, message: "CURRENT_TIMESTAMP is a default only for timestamp and datetime columns." };
    return { ok: true, value: { kind: "current_timestamp" } };
  }
  const quoted = /^'([\s\S]*)'$/.exec(typed.trim());
  switch (family) {
    case "integer":
      if (INTEGER.test(text)) return { ok: true, value: { kind: "number", text: text.replace(/^\+/, "") } };
      return { ok: false, message: `The default of an integer column must be a whole number or NULL, not "${text}".` };
    case "decimal":
    case "float":
      if (NUMBER.test(text)) return { ok: true, value: { kind: "number", text: text.replace(/^\+/, "") } };
      return { ok: false, message: `The default of a numeric column must be a number or NULL, not "${text}".` };
    case "boolean":
      if (/^(true|1)$/i.test(text)) return { ok: true, value: { kind: "boolean", value: true } };
      if (/^(false|0)$/i.test(text)) return { ok: true, value: { kind: "boolean", value: false } };
      return { ok: false, message: `The default of a boolean column must be true, false or NULL, not "${text}".` };
    default:
      return { ok: true, value: { kind: "string", value: quoted ? quoted[1]! : typed } };
  }
}

/** The default as the form shows it, so that reading it back gives the same default. */
export function formatDefault(value: DefaultSpec): string {
  switch (value.kind) {
    case "none":
      return "";
    case "null":
      return "NULL";
    case "current_timestamp":
      return "CURRENT_TIMESTAMP";
    case "number":
      return value.text;
    case "boolean":
      return value.value ? "true" : "false";
    case "string":
      return /^(null|current_timestamp|now(\(\))?)$/i.test(value.value.trim()) || value.value !== value.value.trim() || /^'.*'$/s.test(value.value)
        ? `'${value.value}'`
        : value.value;
    case "expression":
      return value.sql;
  }
}

/** Renders a default for DDL with the engine's literal quoting; an expression is server text read from the catalog. */
export function defaultSql(value: DefaultSpec, quoteLiteral: (text: string) => string): string | undefined {
  switch (value.kind) {
    case "none":
      return undefined;
    case "null":
      return "NULL";
    case "current_timestamp":
      return "CURRENT_TIMESTAMP";
    case "number":
      if (!NUMBER.test(value.text)) throw new Error(`not a number: ${value.text}`);
      return value.text;
    case "boolean":
      return value.value ? "TRUE" : "FALSE";
    case "string":
      return quoteLiteral(value.value);
    case "expression":
      return value.sql;
  }
}

/** DEFAULT NULL and no default are the same default; MariaDB reports one where the form wrote the other. */
export function withoutNullDefault(value: DefaultSpec): DefaultSpec {
  return value.kind === "null" ? { kind: "none" } : value;
}

export function sameDefault(a: DefaultSpec, b: DefaultSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
