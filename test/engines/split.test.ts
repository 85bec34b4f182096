// Splitting scripts into statements, for both engines, on hand-written cases and on the shared real-world corpus.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { SqlStatement } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { corpusPresent, corpusRoot, readCorpus } from "../review/support/corpus-statements.ts";

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

test("line ends: \\n, \\r\\n and a lone \\r each end a line, for line numbers on both engines", () => {
  const script = "SELECT 1;\rSELECT 2;\r\nSELECT 3;\n\r  SELECT 4";
  for (const engine of [mysql, postgres]) {
    assert.deepEqual(
      engine.splitStatements(script).map((s) => [s.text, s.line, s.column]),
      [
        ["SELECT 1", 1, 1],
        ["SELECT 2", 2, 1],
        ["SELECT 3", 3, 1],
        ["SELECT 4", 5, 3],
      ],
    );
  }
});

test("PostgreSQL ends a -- comment at a lone \\r, MySQL only at \\n (each server's own lexer)", () => {
  const script = "UPDATE t1 SET name = name --\r; DELETE FROM orders WHERE id = 1; SELECT 1 FROM t1\nWHERE id = 1";
  assert.deepEqual(texts(postgres.splitStatements(script)), ["UPDATE t1 SET name = name", "DELETE FROM orders WHERE id = 1", "SELECT 1 FROM t1\nWHERE id = 1"]);
  assert.deepEqual(texts(mysql.splitStatements(script)), ["UPDATE t1 SET name = name --\r; DELETE FROM orders WHERE id = 1; SELECT 1 FROM t1\nWHERE id = 1"]);
  assert.deepEqual(texts(mysql.splitStatements("SELECT 1 # c\r; SELECT 2\n;SELECT 3")), ["SELECT 1", "SELECT 3"]);
  // A tab or DEL after `--` makes a comment too (whitespace or a control character); a digit does not.
  assert.deepEqual(texts(mysql.splitStatements("SELECT 1 --\t;\nSELECT 2 --\x7f;\n;SELECT 3 --1;")), ["SELECT 1 --\t;\nSELECT 2", "SELECT 3 --1"]);
});

test("MySQL: a routine, trigger or event body is one statement with or without DELIMITER", () => {
  const script = [
    "CREATE DEFINER=`root`@`%` PROCEDURE p(IN n INT)",
    "BEGIN",
    "  DECLARE i INT DEFAULT 0;",
    "  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN SET i = -1; END;",
    "  outer_loop: WHILE i < n DO",
    "    IF i % 2 = 0 THEN INSERT INTO t VALUES (i); ELSEIF i = 3 THEN LEAVE outer_loop; ELSE SET i = i; END IF;",
    "    CASE i WHEN 1 THEN SELECT 'one;'; ELSE BEGIN END; END CASE;",
    "    SET i = i + CASE WHEN i > 5 THEN 2 ELSE 1 END;",
    "    REPEAT SET i = i + 1; UNTIL i > 0 END REPEAT;",
    "    SELECT start, end FROM periods FOR UPDATE;",
    "  END WHILE outer_loop;",
    "END;",
    "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW IF NEW.a IS NULL THEN SET NEW.a = REPEAT('x', 2); END IF;",
    "CREATE TRIGGER trg2 BEFORE INSERT ON t FOR EACH ROW SET NEW.a = IF(NEW.a > 0, 1, 2);",
    "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN (SELECT CASE WHEN 1 THEN 2 END);",
    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; DELETE FROM u; END;",
    "DROP PROCEDURE IF EXISTS p;",
    "BEGIN;",
    "UPDATE t SET a = 1;",
    "COMMIT;",
    "BEGIN NOT ATOMIC SELECT 1; SELECT 2; END;",
    "lbl: LOOP LEAVE lbl; END LOOP lbl;",
    "IF 1 THEN SELECT 1; END IF;",
    "CREATE TABLE `trigger` (`end` INT, `begin` INT);",
  ].join("\n");
  const kinds = mysql.splitStatements(script).map((s) => s.text.split(/\s+/).slice(0, 2).join(" "));
  assert.deepEqual(kinds, [
    "CREATE DEFINER=`root`@`%`",
    "CREATE TRIGGER",
    "CREATE TRIGGER",
    "CREATE FUNCTION",
    "CREATE EVENT",
    "DROP PROCEDURE",
    "BEGIN",
    "UPDATE t",
    "COMMIT",
    "BEGIN NOT",
    "lbl: LOOP",
    "IF 1",
    "CREATE TABLE",
  ]);
  assert.match(mysql.splitStatements(script)[0]!.text, /END WHILE outer_loop;\nEND$/);
});

test("PostgreSQL: semicolons inside parentheses and BEGIN ATOMIC bodies stay in the statement, as psql keeps them", () => {
  const script = [
    "CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));",
    "CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 END; SELECT 2; END;",
    "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;",
    "BEGIN;",
    "SELECT 1;",
    "END;",
  ].join("\n");
  assert.deepEqual(
    postgres.splitStatements(script).map((s) => s.text.split(/\s+/).slice(0, 3).join(" ")),
    ["CREATE RULE r", "CREATE OR REPLACE", "CREATE PROCEDURE p()", "BEGIN", "SELECT 1", "END"],
  );
});

test("an unterminated quote or comment runs to the end without throwing", () => {
  assert.deepEqual(texts(mysql.splitStatements("SELECT 1; SELECT 'open; SELECT 2")), ["SELECT 1", "SELECT 'open; SELECT 2"]);
  assert.deepEqual(texts(postgres.splitStatements("SELECT 1; SELECT $x$ open; /* ")), ["SELECT 1", "SELECT $x$ open; /* "]);
});

test("a 2 MB script splits into every one of its statements (its speed is in bench/split)", () => {
  const chunk = "INSERT INTO t VALUES (1, 'a;b', \"c\", `d`); -- note\n/* c */ SELECT $$x$$;\n";
  const copies = Math.ceil(2_000_000 / chunk.length);
  const script = chunk.repeat(copies);
  for (const engine of [mysql, postgres]) assert.equal(engine.splitStatements(script).length, 2 * copies);
});

/** Statement counts of the corpus README's own top-level split. */
const CORPUS_STATEMENTS = { mysql: 5821, postgres: 8108 } as const;

/** Line and column as an editor shows them: a line ends at \n, \r\n or a lone \r. */
function editorPosition(script: string, offset: number): { line: number; column: number } {
  const lines = script.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

for (const engine of [mysql, postgres]) {
  test(`${engine.name}: every corpus file splits, each statement where its offset, line and column say`, (t) => {
    if (!corpusPresent()) {
      t.skip(`no corpus at ${corpusRoot}`);
      return;
    }
    let count = 0;
    for (const { path, statements } of readCorpus(engine.name)) {
      const script = readFileSync(path, "utf8");
      count += statements.length;
      for (const statement of statements) {
        assert.ok(statement.text.length > 0, path);
        assert.equal(script.slice(statement.offset, statement.offset + statement.text.length), statement.text, path);
        assert.deepEqual({ line: statement.line, column: statement.column }, editorPosition(script, statement.offset), path);
      }
    }
    const expected = CORPUS_STATEMENTS[engine.name];
    assert.ok(Math.abs(count - expected) <= expected * 0.1, `${count} statements, expected about ${expected}`);
  });
}
