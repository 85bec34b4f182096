// Quoting for MySQL/MariaDB: backtick identifiers and backslash-escaped string literals.
import { EngineError } from "../errors.ts";

export function quoteIdentifier(name: string): string {
  rejectNul(name, "identifier");
  return "`" + name.replaceAll("`", "``") + "`";
}

const LITERAL_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  "\n": "\\n",
  "\r": "\\r",
  "\x1a": "\\Z",
};

export function quoteLiteral(value: string): string {
  rejectNul(value, "literal");
  return "'" + value.replace(/[\\'\n\r\x1a]/g, (char) => LITERAL_ESCAPES[char]!) + "'";
}

function rejectNul(value: string, what: string): void {
  if (value.includes("\0")) throw new EngineError(`a MySQL ${what} cannot contain a NUL character`, { kind: "invalid" });
}
