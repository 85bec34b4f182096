// The servers' own word on where statements end, for the differential test of the splitter (split-oracle.test.ts).
//
// A statement is "accepted as one" when the server's parser read the whole text as exactly one statement, without
// running it:
// - PostgreSQL: a Parse message (extended protocol) followed by Sync, never Bind or Execute. Parse refuses a text that
//   holds more than one command ("cannot insert multiple commands into a prepared statement").
// - MariaDB: COM_STMT_PREPARE, closed at once, never executed. Preparing parses the whole text first; errors raised
//   after the parse (unknown table, "not supported in the prepared statement protocol") mean it parsed as one.
// A syntax error is the only answer that may mean a wrong boundary: it does when it stands where a statement cut short
// or a glued second one would put it (at the end of the text, or right after a `;`; the piece cut off a statement is
// caught at the end of the piece before it). Anywhere else it is syntax this server version does not know, or text
// that is no SQL at all (a mysql `source` command, a `//` comment): such statements are counted as not judged.
import type { Connection } from "mysql2/promise";
import type pg from "pg";

export type Judgement = "one" | "not one" | "not judged";

interface ParseOutcome {
  error?: { code?: string; message: string; position?: string };
}

/** A pg submittable that sends Parse and Sync only: the server parses the text and runs nothing. */
class ParseOnly {
  private done!: (outcome: ParseOutcome) => void;
  readonly settled = new Promise<ParseOutcome>((resolve) => {
    this.done = resolve;
  });

  constructor(private readonly text: string) {}

  submit(connection: { parse(message: { text: string; name: string; types: number[] }): void; sync(): void }): void {
    connection.parse({ text: this.text, name: "", types: [] });
    connection.sync();
  }

  /** pg forgets the query on an error, so its ReadyForQuery comes to no one: the error settles it. */
  handleError(error: { code?: string; message: string; position?: string }): void {
    this.done({ error });
  }

  handleReadyForQuery(): void {
    this.done({});
  }
}

export async function postgresJudgement(client: pg.Client, text: string): Promise<Judgement> {
  const parse = new ParseOnly(text);
  void client.query(parse as unknown as pg.QueryConfig);
  const { error } = await parse.settled;
  if (!error || error.code !== "42601") return "one";
  if (/multiple commands/.test(error.message)) return "not one";
  const position = error.position === undefined ? text.length : Number(error.position) - 1;
  return syntaxErrorJudgement(text, position);
}

const ER_PARSE_ERROR = 1064;

export async function mysqlJudgement(conn: Connection, text: string): Promise<Judgement> {
  try {
    const statement = await conn.prepare(text);
    statement.close();
    return "one";
  } catch (error) {
    const { errno, message } = error as { errno?: number; message: string };
    if (errno !== ER_PARSE_ERROR) return "one";
    return syntaxErrorJudgement(text, mysqlErrorOffset(text, message));
  }
}

/** MariaDB says where it stopped as "near '<rest of the text, cut short>' at line N". */
function mysqlErrorOffset(text: string, message: string): number {
  const match = /near '([\s\S]*)' at line (\d+)$/.exec(message);
  if (!match) return text.length;
  const near = match[1]!;
  if (near === "") return text.length;
  let lineStart = 0;
  for (let line = 1; line < Number(match[2]); line++) lineStart = text.indexOf("\n", lineStart) + 1;
  const at = text.indexOf(near.slice(0, 40), lineStart);
  return at < 0 ? text.length : at;
}

function syntaxErrorJudgement(text: string, position: number): Judgement {
  if (position >= text.trimEnd().length || text.slice(0, position).trimEnd().endsWith(";")) return "not one";
  return "not judged";
}

/** mulberry32: a small seeded generator, so that a failing case can be made again from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINE_ENDS = ["\n", "\r\n", "\r"];

/** Pieces of code that may follow a SELECT's expression: values and aliases whose quotes hide delimiters. */
const VALUES = {
  mysql: [", 'a;b'", ", 'it''s;'", ", 'x\\';y'", ', "q;\\"r"', ", '--;'", ", '/*'", " AS `a;b`", ' AS "c;d"', " --1", "/*!40101 , 'v;' */", "/*M!100100 , 'm' */"],
  postgres: [", 'a;b'", ", 'it''s;'", ", 'x\\'", ", E'x\\';y'", ", $$a;b$$", ", $t$ $$; $t$", ', 1 AS "c;d"', ", '--;'", ", '/*'", " --1", ", 3 # 1"],
};

/**
 * Comments and white space between tokens, each ended by one of the line ends where it has one. Some hide a statement
 * behind a line end (`-- c\r; SELECT 900`, the attack), which is code or comment by the engine's own rule.
 */
function gapPieces(engine: "mysql" | "postgres", lineEnd: string, afterDelimiter: boolean): string[] {
  const hidden = afterDelimiter ? `-- c${lineEnd}SELECT 900;` : `-- c${lineEnd}; SELECT 900`;
  const common = [" ", "\t", lineEnd, hidden, `-- c${lineEnd}`, `--${lineEnd}`, `-- ; SELECT 901${lineEnd}`, `-- 'q${lineEnd}`, "/* ; */", `/* -- ${lineEnd} ' */`];
  return engine === "mysql"
    ? [...common, `# c;${lineEnd}`, `#${lineEnd}`, `--\t; '${lineEnd}`]
    : [...common, "/* a /* ; */ b; */", `/* $$ ${lineEnd} */`];
}

/**
 * A script of harmless SELECTs, each of which returns a number first, with quotes, comments and line ends mixed in.
 * Under each server's own reading some comments swallow what follows them, so the server may see fewer or more
 * statements than were written, or find the script invalid; the oracle is what the server itself does with it.
 */
export function fuzzScript(engine: "mysql" | "postgres", random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const gap = (most: number, afterDelimiter: boolean): string =>
    Array.from({ length: Math.floor(random() * (most + 1)) }, () => pick(gapPieces(engine, pick(LINE_ENDS), afterDelimiter))).join("");
  const statements = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, k) => {
    const values = Array.from({ length: Math.floor(random() * 3) }, () => pick(VALUES[engine])).join("");
    return `SELECT ${k + 1}${values}${gap(2, false)}`;
  });
  const end = random() < 0.5 ? ";" : "";
  return gap(1, true) + statements.join(`;${gap(2, true)}`) + end + gap(1, end === ";");
}
