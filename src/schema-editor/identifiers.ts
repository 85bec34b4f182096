// Which names the editor accepts. Anything accepted is quoted by the engine's quoteIdentifier; what the engine
// would mangle or refuse (control characters, trailing spaces in MySQL, over-long names) is refused here first.
import type { SchemaDialect } from "./model.ts";

/** Why the name cannot be used, or undefined when it can. `what` is e.g. "Column name". */
export function identifierProblem(dialect: SchemaDialect, name: string, what: string): string | undefined {
  if (name.trim() === "") return `${what} is required.`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `${what} cannot contain control characters (tabs, line breaks, NUL).`;
  if (name !== name.trim()) return `${what} cannot start or end with a space.`;
  const { max, unit } = dialect.identifierLimit;
  const length = unit === "bytes" ? Buffer.byteLength(name, "utf8") : [...name].length;
  if (length > max) return `${what} is ${length} ${unit} long; ${dialect.engine === "mysql" ? "MySQL" : "PostgreSQL"} allows at most ${max}.`;
  // MySQL keeps identifiers in utf8mb3: characters outside the Basic Multilingual Plane (emoji) are refused by the server.
  if (dialect.engine === "mysql" && /[\u{10000}-\u{10FFFF}]/u.test(name)) return `${what} cannot contain emoji or other characters outside the Basic Multilingual Plane in MySQL.`;
  return undefined;
}

export function sameColumnName(dialect: SchemaDialect, a: string, b: string): boolean {
  return dialect.caseInsensitiveColumns ? a.toLowerCase() === b.toLowerCase() : a === b;
}
