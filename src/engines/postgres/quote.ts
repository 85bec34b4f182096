// Quoting for PostgreSQL: double-quoted identifiers and standard (or E'') string literals.
import { EngineError } from "../errors.ts";

export function quoteIdentifier(name: string): string {
  rejectNul(name, "identifier");
  return '"' + name.replaceAll('"', '""') + '"';
}

export function quoteLiteral(value: string): string {
  rejectNul(value, "literal");
  const body = value.replaceAll("'", "''");
  // An E'' string reads the same whatever standard_conforming_strings says.
  return value.includes("\\") ? "E'" + body.replaceAll("\\", "\\\\") + "'" : "'" + body + "'";
}

function rejectNul(value: string, what: string): void {
  if (value.includes("\0")) throw new EngineError(`a PostgreSQL ${what} cannot contain a NUL character`, { kind: "invalid" });
}
