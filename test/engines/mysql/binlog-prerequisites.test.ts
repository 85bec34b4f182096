// MySQL 8's ways of logging rows that Sluice does not read back are found by the readiness check (MariaDB, the only
// server here, has neither variable): the change then falls back to a prior backup, and the reason says which.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unreadRowLogging } from "../../../src/engines/mysql/binlog-prerequisites.ts";

const parameter = (name: string, value: string): string => `set ${name}=${value}`;

describe("MySQL 8 row logging the binlog reader does not read", () => {
  it("finds partial JSON updates and compressed transactions, as SHOW SESSION VARIABLES reports them on MySQL 8", () => {
    const problems = unreadRowLogging(
      new Map([
        ["binlog_row_value_options", "PARTIAL_JSON"],
        ["binlog_transaction_compression", "ON"],
      ]),
      parameter,
    );
    assert.deepEqual(problems, [
      { what: "binlog_row_value_options is PARTIAL_JSON: JSON updates are logged as diffs, which Sluice cannot undo", fix: "set binlog_row_value_options=" },
      { what: "binlog_transaction_compression is ON: transactions are logged compressed (zstd), which Sluice does not read", fix: "set binlog_transaction_compression=OFF" },
    ]);
  });

  it("finds nothing in MySQL 8's defaults, or on a server without the variables", () => {
    assert.deepEqual(unreadRowLogging(new Map([["binlog_row_value_options", ""], ["binlog_transaction_compression", "OFF"]]), parameter), []);
    assert.deepEqual(unreadRowLogging(new Map(), parameter), []);
  });
});
