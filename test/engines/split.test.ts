// Splitting scripts into statements, for both engines, on hand-written cases and on the shared real-world corpus.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlStatement } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";

const mysql = engineFor("mysql");
const postgres = engineFor("postgres");

const texts = (statements: SqlStatement[]): string[] => statements.map((s) => s.text);

test("a statement starts at its first character of code, with exact line, column and offset", () => {
  const script = "-- header; not a statement\n/* block; */\n\t  SELECT 1;\r\n\r\n  UPDATE t\n  SET a = 2 ;  SELECT 3";
  for (const engine of [mysql, postgres]) {
    const statements = engine.splitStatements(script);
    assert.deepEqual(statements, [
      { text: "SELECT 1", line: 3, column: 4, offset: script.indexOf("SELECT 1") },
      { text: "UPDATE t\n  SET a = 2", line: 5, column: 3, offset: script.indexOf("UPDATE") },
      { text: "SELECT 3", line: 6, column: 16, offset: script.indexOf("SELECT 3") },
    ]);
  }
});

test("empty statements and comment-only tails are dropped", () => {
  for (const engine of [mysql, postgres]) {
    assert.deepEqual(texts(engine.splitStatements(";;  ;\nSELECT 1;; ;\n-- the end;\n")), ["SELECT 1"]);
    assert.deepEqual(engine.splitStatements("  \n -- nothing\n"), []);
  }
});

test("a trailing comment before the delimiter is not part of the statement text", () => {
  assert.deepEqual(texts(mysql.splitStatements("SELECT 1 -- one\n;SELECT /* two */ 2 # two\n;")), ["SELECT 1", "SELECT /* two */ 2"]);
});

test("MySQL: quotes of every kind hide delimiters, with backslash escapes and doubled quotes", () => {
  const script = "SELECT 'a;b', \"c;d\", `e;f`, 'it''s;', 'back\\';slash', \"dq\\\";\";\nSELECT `we``ird;`;";
  assert.deepEqual(texts(mysql.splitStatements(script)), [
    "SELECT 'a;b', \"c;d\", `e;f`, 'it''s;', 'back\\';slash', \"dq\\\";\"",
    "SELECT `we``ird;`",
  ]);
});

test("MySQL: -- is a comment only before whitespace, # always is", () => {
  assert.deepEqual(texts(mysql.splitStatements("SELECT 1--1;\nSELECT 2 -- c;\n;# c;\nSELECT 3;")), ["SELECT 1--1", "SELECT 2", "SELECT 3"]);
});

test("MySQL: executable version comments are statement text and do not break splitting", () => {
  const script = [
    "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;",
    "/*!50003 CREATE*/ /*!50020 DEFINER=`root`@`localhost`*/ /*!50003 FUNCTION f() RETURNS int RETURN 1 */;",
    "/*M!100100 SET x = 1 */;",
    "/* a plain comment; */ SELECT 1;",
  ].join("\n");
  const statements = mysql.splitStatements(script);
  assert.deepEqual(texts(statements), [
    "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */",
    "/*!50003 CREATE*/ /*!50020 DEFINER=`root`@`localhost`*/ /*!50003 FUNCTION f() RETURNS int RETURN 1 */",
    "/*M!100100 SET x = 1 */",
    "SELECT 1",
  ]);
  assert.equal(statements[3]!.column, 24);
});

test("MySQL: DELIMITER lets procedures and triggers keep their inner semicolons", () => {
  const script = `CREATE TABLE t (a int);
DELIMITER $$
CREATE PROCEDURE p()
BEGIN
  INSERT INTO t VALUES (1);
  SELECT 'END$$ in a string';
END$$
delimiter //
CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END//
DELIMITER ;
SELECT 1;`;
  const statements = mysql.splitStatements(script);
  assert.deepEqual(texts(statements), [
    "CREATE TABLE t (a int)",
    "CREATE PROCEDURE p()\nBEGIN\n  INSERT INTO t VALUES (1);\n  SELECT 'END$$ in a string';\nEND",
    "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END",
    "SELECT 1",
  ]);
  assert.deepEqual(
    statements.map((s) => [s.line, s.column]),
    [
      [1, 1],
      [3, 1],
      [9, 1],
      [11, 1],
    ],
  );
});

test("PostgreSQL: standard strings take no backslash escapes, E'' strings do", () => {
  assert.deepEqual(texts(postgres.splitStatements("SELECT 'a\\'; SELECT E'b\\';c', e'\\\\'; SELECT 'it''s;'")), [
    "SELECT 'a\\'",
    "SELECT E'b\\';c', e'\\\\'",
    "SELECT 'it''s;'",
  ]);
  assert.deepEqual(texts(postgres.splitStatements('SELECT "semi;colon""s"; SELECT `x`;')), ['SELECT "semi;colon""s"', "SELECT `x`"]);
});

test("PostgreSQL: -- needs no space, # is an operator, and block comments nest", () => {
  assert.deepEqual(texts(postgres.splitStatements("SELECT 1--1;\nSELECT 2;")), ["SELECT 1--1;\nSELECT 2"]);
  assert.deepEqual(texts(postgres.splitStatements("SELECT 5 # 3; SELECT 2;")), ["SELECT 5 # 3", "SELECT 2"]);
  const nested = "/* outer /* inner; */ still; */ SELECT 1; SELECT /* a /* b */ ; */ 2;";
  const statements = postgres.splitStatements(nested);
  assert.deepEqual(texts(statements), ["SELECT 1", "SELECT /* a /* b */ ; */ 2"]);
  assert.equal(statements[0]!.column, nested.indexOf("SELECT 1") + 1);
});

test("PostgreSQL: dollar quotes, with and without tags, hide everything up to the same tag", () => {
  const script = `CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
DO $body$
BEGIN
  RAISE NOTICE '$$;';
  PERFORM $q$;$q$;
END
$body$;
PREPARE p(int) AS SELECT $1; SELECT a$b$c FROM t; SELECT 1;`;
  assert.deepEqual(texts(postgres.splitStatements(script)), [
    "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
    "DO $body$\nBEGIN\n  RAISE NOTICE '$$;';\n  PERFORM $q$;$q$;\nEND\n$body$",
    "PREPARE p(int) AS SELECT $1",
    "SELECT a$b$c FROM t",
    "SELECT 1",
  ]);
});

test("PostgreSQL: psql commands and COPY ... FROM stdin data are not statements", () => {
  const script = "\\set ON_ERROR_STOP 1\nCOPY t (a, b) FROM stdin;\n1\tx;y\n2\t'\n\\.\nSELECT 1;\n";
  const statements = postgres.splitStatements(script);
  assert.deepEqual(texts(statements), ["COPY t (a, b) FROM stdin", "SELECT 1"]);
  assert.equal(statements[1]!.line, 6);
});

test("an unterminated quote or comment runs to the end without throwing", () => {
  assert.deepEqual(texts(mysql.splitStatements("SELECT 1; SELECT 'open; SELECT 2")), ["SELECT 1", "SELECT 'open; SELECT 2"]);
  assert.deepEqual(texts(postgres.splitStatements("SELECT 1; SELECT $x$ open; /* ")), ["SELECT 1", "SELECT $x$ open; /* "]);
});

test("splitting is a single fast pass (2 MB in well under a second)", () => {
  const chunk = "INSERT INTO t VALUES (1, 'a;b', \"c\", `d`); -- note\n/* c */ SELECT $$x$$;\n";
  const script = chunk.repeat(Math.ceil(2_000_000 / chunk.length));
  for (const engine of [mysql, postgres]) {
    const started = performance.now();
    const statements = engine.splitStatements(script);
    assert.ok(statements.length >= 2 * Math.floor(2_000_000 / chunk.length));
    assert.ok(performance.now() - started < 1000, `${engine.name} took ${performance.now() - started} ms`);
  }
});

const corpusRoot = fileURLToPath(new URL("../../../shared/corpus/", import.meta.url));

function sqlFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? sqlFiles(join(directory, entry.name)) : entry.name.endsWith(".sql") ? [join(directory, entry.name)] : []))
    .sort();
}

/** Statement counts of the corpus README's own top-level split. */
const CORPUS_STATEMENTS = { mysql: 5821, postgres: 8108 } as const;

for (const engine of [mysql, postgres]) {
  test(`${engine.name}: every corpus file splits, each statement where its offset, line and column say`, (t) => {
    const directory = join(corpusRoot, engine.name);
    if (!existsSync(directory)) {
      t.skip(`no corpus at ${directory}`);
      return;
    }
    let count = 0;
    for (const path of sqlFiles(directory)) {
      const script = readFileSync(path, "utf8");
      const statements = engine.splitStatements(script);
      count += statements.length;
      for (const statement of statements) {
        assert.ok(statement.text.length > 0, path);
        assert.equal(script.slice(statement.offset, statement.offset + statement.text.length), statement.text, path);
        const before = script.slice(0, statement.offset);
        assert.equal(statement.line, before.split("\n").length, path);
        assert.equal(statement.column, statement.offset - (before.lastIndexOf("\n") + 1) + 1, path);
      }
    }
    const expected = CORPUS_STATEMENTS[engine.name];
    assert.ok(Math.abs(count - expected) <= expected * 0.1, `${count} statements, expected about ${expected}`);
  });
}
