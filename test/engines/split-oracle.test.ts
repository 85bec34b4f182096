// The splitter against the servers themselves (issue #20): on the shared corpus and on a generated set of scripts that
// mix comments, quotes and line ends, Sluice's statements are exactly what each server accepts one statement at a time.
// How each server is asked, without running anything it is not meant to, is in support/statement-oracle.ts.
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import mysqlCore from "mysql2";
import mysql from "mysql2/promise";
import pg from "pg";
import { loadModule, parseSync } from "libpg-query";
import type { EngineName, SqlStatement } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { corpusPresent, corpusRoot, readCorpus } from "../review/support/corpus-statements.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "../support/servers.ts";
import { fuzzScript, mysqlJudgement, postgresJudgement, seededRandom, type Judgement } from "./support/statement-oracle.ts";

/** SLUICE_FUZZ_SEED makes another set; a failure names the seed and the script. */
const FUZZ_SEED = Number(process.env.SLUICE_FUZZ_SEED ?? 2020);
const FUZZ_SCRIPTS = 400;
/** Connections that ask the server in parallel: the corpus is some 14,000 statements. */
const ASKERS = 4;

/**
 * Asks the server about every statement of the engine's corpus, spread over the connections: each must be read as
 * exactly one, and nearly all must be judged (the check must not pass by judging nothing).
 */
async function holdCorpusToServer(t: TestContext, engine: EngineName, askers: Array<(text: string) => Promise<Judgement>>): Promise<void> {
  if (!corpusPresent()) return t.skip(`no corpus at ${corpusRoot}`);
  const work = readCorpus(engine).flatMap(({ path, statements }) => statements.map((statement) => ({ path, statement })));
  const counts = { one: 0, notJudged: 0 };
  const wrong: string[] = [];
  let next = 0;
  await Promise.all(
    askers.map(async (ask) => {
      while (next < work.length) {
        const { path, statement } = work[next++]!;
        const judgement = await ask(statement.text);
        if (judgement === "one") counts.one++;
        else if (judgement === "not judged") counts.notJudged++;
        else wrong.push(`${path.slice(corpusRoot.length)} line ${statement.line}: ${statement.text.slice(0, 120)}`);
      }
    }),
  );
  t.diagnostic(`${counts.one} statements read as one, ${counts.notJudged} in syntax this server version does not know`);
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} statements the server does not read as exactly one`);
  assert.ok(counts.notJudged < work.length * 0.05, `${counts.notJudged} of ${work.length} not judged`);
}

/** Runs the fuzz set: `serverTags` is what the server returns for the whole script, `statementTag` for one statement alone. */
async function runFuzz(
  t: TestContext,
  engine: EngineName,
  serverTags: (script: string) => Promise<string[] | undefined>,
  statementTag: (statement: SqlStatement) => Promise<string>,
): Promise<void> {
  const random = seededRandom(FUZZ_SEED);
  let valid = 0;
  for (let k = 0; k < FUZZ_SCRIPTS; k++) {
    const script = fuzzScript(engine, random);
    const expected = await serverTags(script);
    if (expected === undefined) continue; // the server itself finds this mix invalid: nothing to compare
    valid++;
    const statements = engineFor(engine).splitStatements(script);
    const actual: string[] = [];
    for (const statement of statements) actual.push(await statementTag(statement).catch((error: Error) => `refused: ${error.message}`));
    assert.deepEqual(actual, expected, `seed ${FUZZ_SEED}, script ${k}: ${JSON.stringify(script)}`);
  }
  t.diagnostic(`${valid} of ${FUZZ_SCRIPTS} generated scripts are valid for the server and were compared`);
  // Most of the set must be valid, or the comparison would say little.
  assert.ok(valid > FUZZ_SCRIPTS / 2);
}

const firstCell = (rows: unknown[][]): string => String(rows[0]?.[0]);

describe("PostgreSQL agrees with the splitter", () => {
  let database: string;
  let clients: pg.Client[];

  before(async () => {
    await loadModule();
    database = await createPostgresDatabase("split_oracle");
    clients = await Promise.all(
      Array.from({ length: ASKERS }, async () => {
        const client = new pg.Client({ ...postgresServer(), database });
        await client.connect();
        return client;
      }),
    );
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.end()));
    await dropPostgresDatabase(database);
  });

  test("corpus: in every file its parser reads, libpg-query (PostgreSQL's own parser) finds the same statements", (t) => {
    if (!corpusPresent()) return t.skip(`no corpus at ${corpusRoot}`);
    let files = 0;
    let statements = 0;
    for (const { path, statements: split } of readCorpus("postgres")) {
      const script = readFileSync(path, "utf8");
      let parsed;
      try {
        parsed = parseSync(script);
      } catch {
        continue; // psql meta-commands, or syntax newer than the parser: the server check below covers those files
      }
      files++;
      const charOffset = byteToCharOffsets(script);
      const ranges = (parsed.stmts ?? []).map(({ stmt_location = 0, stmt_len }) => [charOffset(stmt_location), stmt_len ? charOffset(stmt_location + stmt_len) : script.length]);
      statements += ranges.length;
      assert.equal(split.length, ranges.length, path);
      split.forEach((statement, i) => {
        const [from, to] = ranges[i]!;
        assert.ok(from! <= statement.offset && statement.offset + statement.text.length <= to!, `${path}: statement ${i + 1} at line ${statement.line}`);
      });
    }
    t.diagnostic(`${files} files, ${statements} statements agree with libpg-query`);
    assert.ok(files > 1000);
  });

  test("corpus: the server's Parse message takes each statement as exactly one command", (t) =>
    holdCorpusToServer(t, "postgres", clients.map((client) => (text: string) => postgresJudgement(client, text))));

  test(`fuzz (${FUZZ_SCRIPTS} scripts): the server's own statements, run as one simple query, are Sluice's, each run alone`, async (t) => {
    const client = clients[0]!;
    await runFuzz(
      t,
      "postgres",
      async (script) => {
        try {
          const result = (await client.query({ text: script, rowMode: "array" })) as pg.QueryResult | pg.QueryResult[];
          return (Array.isArray(result) ? result : [result]).map((part) => firstCell(part.rows as unknown[][]));
        } catch {
          return undefined;
        }
      },
      async ({ text }) => {
        const result = await client.query({ text, rowMode: "array", queryMode: "extended" } as pg.QueryConfig);
        return firstCell(result.rows as unknown[][]);
      },
    );
  });
});

describe("MariaDB agrees with the splitter", () => {
  let database: string;
  let connections: mysql.Connection[];
  let multi: mysqlCore.Connection;

  before(async () => {
    database = await createMysqlDatabase("split_oracle");
    connections = await Promise.all(Array.from({ length: ASKERS }, () => mysql.createConnection({ ...mysqlServer(), database, rowsAsArray: true })));
    multi = mysqlCore.createConnection({ ...mysqlServer(), database, multipleStatements: true });
  });
  after(async () => {
    await Promise.all([...connections.map((connection) => connection.end()), multi.promise().end()]);
    await dropMysqlDatabase(database);
  });

  test("corpus: the server prepares each statement as exactly one (never executing it)", (t) =>
    holdCorpusToServer(t, "mysql", connections.map((connection) => (text: string) => mysqlJudgement(connection, text))));

  test(`fuzz (${FUZZ_SCRIPTS} scripts): the server's own statements, sent as one multi-statement packet, are Sluice's, each prepared alone`, async (t) => {
    const connection = connections[0]!;
    await runFuzz(
      t,
      "mysql",
      (script) => resultSetTags(multi, script),
      async ({ text }) => {
        const [rows] = await connection.execute({ sql: text, rowsAsArray: true });
        return firstCell(rows as unknown[][]);
      },
    );
  });
});

/** The first value of each result set the server returns for a multi-statement packet; undefined when it refuses one. */
function resultSetTags(connection: mysqlCore.Connection, script: string): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    const tags: string[] = [];
    let failed = false;
    connection
      .query({ sql: script, rowsAsArray: true })
      .on("result", (row: unknown, index: number) => {
        if (Array.isArray(row) && tags[index] === undefined) tags[index] = String(row[0]);
      })
      .on("error", () => {
        failed = true;
      })
      .on("end", () => resolve(failed ? undefined : tags.filter((tag) => tag !== undefined)));
  });
}

/** libpg-query's locations count UTF-8 bytes; the splitter's count UTF-16 code units. */
function byteToCharOffsets(script: string): (byte: number) => number {
  const offsets: number[] = [];
  let byte = 0;
  for (let i = 0; i < script.length; i++) {
    const code = script.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let b = 0; b < width; b++) offsets[byte + b] = i;
    byte += width;
    if (code >= 0x10000) i++;
  }
  return (at) => offsets[at] ?? script.length;
}
