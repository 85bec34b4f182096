// A server's error message without the values it may quote: what `/db query` shows to someone who may not see them.

const QUOTED = /'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`(?:[^`]|``)*`/g;
const NUMBER = /(?<![\w.])[-+]?\d[\d.,:eE+-]*(?![\w])/g;
const ELIDED = "…";

/**
 * Keeps the message's words; a quoted fragment or a number is kept only when it appears in the SQL as written (a name
 * or a literal the requester typed), or is a dotted name whose every part is written or one of `knownNames` (the
 * server's `db.table`), since anything else may be a value the server read.
 */
export function withoutValues(message: string, sql: string, knownNames: readonly string[] = []): string {
  const known = new Set(knownNames.map((name) => name.toLowerCase()));
  const keepIfWritten = (fragment: string, inner: string): string =>
    inner !== "" && (isWritten(inner, sql) || inner.split(".").every((part) => known.has(part.toLowerCase()) || (part !== "" && isWritten(part, sql)))) ? fragment : ELIDED;
  const unquoted = message.replace(QUOTED, (fragment) => {
    const quote = fragment[0]!;
    return `${quote}${keepIfWritten(fragment, fragment.slice(1, -1)) === ELIDED ? ELIDED : fragment.slice(1, -1)}${quote}`;
  });
  return unquoted.replace(NUMBER, (number) => keepIfWritten(number, number));
}

/** The fragment stands in the SQL as a whole token, not inside a longer word (a one-letter value is in every query). */
function isWritten(fragment: string, sql: string): boolean {
  const escaped = fragment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\w@.])${escaped}(?![\\w@])`, "i").test(sql);
}
