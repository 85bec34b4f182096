// Reads a column type typed into the form against the engine's list and rebuilds it from its parts, so the text
// that reaches the DDL is always one the editor wrote itself.
import type { ColumnTypeDef, SchemaDialect } from "./model.ts";

export type TypeCheck = { ok: true; type: string; def: ColumnTypeDef } | { ok: false; message: string };

const TYPE_SHAPE = /^([a-z][a-z0-9 ]*?)\s*(?:\(\s*(\d{1,8})\s*(?:,\s*(\d{1,8})\s*)?\))?(\s+unsigned)?$/;

export function findColumnType(dialect: SchemaDialect, name: string): ColumnTypeDef | undefined {
  const wanted = name.trim().toLowerCase().replace(/\s+/g, " ");
  return dialect.columnTypes.find((def) => def.name === wanted || def.aliases?.includes(wanted));
}

export function checkColumnType(dialect: SchemaDialect, typed: string): TypeCheck {
  const text = typed.trim().toLowerCase().replace(/\s+/g, " ");
  const shape = TYPE_SHAPE.exec(text);
  const engine = dialect.engine === "mysql" ? "MySQL/MariaDB" : "PostgreSQL";
  if (!shape) {
    return { ok: false, message: `"${typed.trim()}" is not a type Sluice can write: pick one from the list, or type a name with an optional length, e.g. varchar(255) or decimal(10,2).` };
  }
  const [, name, first, second, unsigned] = shape;
  const def = findColumnType(dialect, name!);
  if (!def) return { ok: false, message: `${engine} has no type "${name}" in Sluice's list; pick one from the list.` };
  const params = [first, second].filter((value): value is string => value !== undefined).map(Number);
  if (params.length > def.maxParams) {
    return { ok: false, message: def.maxParams === 0 ? `${def.name} takes no length or precision.` : `${def.name} takes at most ${def.maxParams} number(s) in parentheses.` };
  }
  if (params.length < (def.minParams ?? 0)) return { ok: false, message: `${def.name} needs a length, e.g. ${def.name}(255).` };
  if (def.range && params[0] !== undefined && (params[0] < def.range[0] || params[0] > def.range[1])) {
    return { ok: false, message: `The length of ${def.name} must be between ${def.range[0]} and ${def.range[1]}.` };
  }
  if (params[1] !== undefined && params[1] > params[0]!) return { ok: false, message: `The scale of ${def.name} cannot exceed its precision.` };
  if (unsigned && !def.unsigned) return { ok: false, message: `${def.name} cannot be unsigned.` };
  const type = `${def.name}${params.length > 0 ? `(${params.join(",")})` : ""}${unsigned ? " unsigned" : ""}`;
  return { ok: true, type, def };
}

/** The family of a type the server reported, when Sluice knows the type; used to read defaults. */
export function typeFamily(dialect: SchemaDialect, type: string): ColumnTypeDef["family"] {
  const checked = checkColumnType(dialect, type);
  if (checked.ok) return checked.def.family;
  const base = /^[a-z ]+/i.exec(type)?.[0] ?? type;
  return findColumnType(dialect, base)?.family ?? "other";
}
