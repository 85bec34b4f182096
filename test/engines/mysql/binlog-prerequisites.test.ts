// MySQL 8's way of logging rows that Sluice cannot undo (partial JSON) is found by the readiness check (MariaDB, the
// only server here, lacks the variable): the change then falls back to a prior backup, and the reason says why.
// Compressed transactions are read (binlog-mysql8.test.ts), so binlog_transaction_compression is no problem.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unreadRowLogging } from "../../../src/engines/mysql/binlog-prerequisites.ts";

const parameter = (name: string, value: string): string => `set ${name}=${value}`;

describe("MySQL 8 row logging the binlog reader cannot undo", () => {
  it("finds partial JSON updates, as SHOW SESSION VARIABLES reports them on MySQL 8, and lets compressed transactions be", () => {
    const problems = unreadRowLogging(
      new Map([
        ["binlog_row_value_options", "PARTIAL_JSON"],
        ["binlog_transaction_compression", "ON"],
      ]),
      parameter,
    );
    assert.deepEqual(problems, [
      { what: "binlog_row_value_options is PARTIAL_JSON: JSON updates are logged as diffs, which Sluice cannot undo", fix: "set binlog_row_value_options=" },
    ]);
  });

  it("finds nothing in MySQL 8's defaults, or on a server without the variables", () => {
    assert.deepEqual(unreadRowLogging(new Map([["binlog_row_value_options", ""], ["binlog_transaction_compression", "OFF"]]), parameter), []);
    assert.deepEqual(unreadRowLogging(new Map(), parameter), []);
  });
});
