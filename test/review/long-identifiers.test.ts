// PostgreSQL truncates identifiers past 63 bytes while parsing, so the review finds them in the text: wherever they sit,
// however many bytes their characters take, and never inside a string literal.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { loadPostgresParser, longIdentifiers } from "../../src/review/postgres-ast.ts";

describe("identifiers longer than PostgreSQL keeps", () => {
  before(() => loadPostgresParser());

  test("a 64-byte identifier is found at every offset of the text, a 63-byte one nowhere", () => {
    const long = "c".repeat(64);
    const fits = "d".repeat(63);
    for (let pad = 0; pad <= 130; pad++) {
      const lead = `CREATE TABLE t ${" ".repeat(pad)}(`;
      assert.deepEqual(longIdentifiers(`${lead}${long} int, ${fits} int)`, 63), [long], `at offset ${lead.length}`);
      assert.deepEqual(longIdentifiers(`${lead}${fits} int, b int)`, 63), [], `at offset ${lead.length}`);
    }
  });

  test("bytes are counted, not characters: 32 two-byte letters are 64 bytes", () => {
    const accented = "é".repeat(32);
    assert.deepEqual(longIdentifiers(`CREATE TABLE t (${accented} int)`, 63), [accented]);
    assert.deepEqual(longIdentifiers(`CREATE TABLE t (${"é".repeat(31)}a int)`, 63), []);
  });

  test("a long string literal is no identifier", () => {
    assert.deepEqual(longIdentifiers(`INSERT INTO t VALUES ('${"x".repeat(200)}')`, 63), []);
  });
});
