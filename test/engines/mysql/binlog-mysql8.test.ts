// MySQL 8's binlog events (Aurora MySQL 3), read on bytes recorded from MySQL 8 servers (fixtures/, with their source
// and license): TABLE_MAP with binlog_row_metadata=FULL, v2 row events, GTID events, compressed transactions
// (TRANSACTION_PAYLOAD, zstd) and partial JSON updates, which Sluice refuses for its own transaction.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readTransactionRows, TransactionRowEvents } from "../../../src/engines/mysql/binlog-reader.ts";
import { EVENT, payloadEvents, readRowsEvent, readTableMap, type RowsEvent, type TableMap } from "../../../src/engines/mysql/binlog-rows.ts";
import type { BinlogEventView } from "../../../src/engines/mysql/binlog-stream.ts";
import type { RollbackColumn, RollbackTable } from "../../../src/engines/mysql/rollback-catalog.ts";
import { InverseWriter } from "../../../src/engines/mysql/rollback-inverse.ts";
import { startReplicationSource } from "../../support/mysql8-replication-source.ts";
import { COMPRESSED_TRANSACTION, MYSQL8_GTID_EVENTS, TABLE_MAP_WITH_METADATA } from "./fixtures/mysql8-binlog-events.ts";

const GTID_LOG_EVENT = 33;
const WRITE_ROWS_V2 = 30;

function view(type: number, body: Buffer): BinlogEventView {
  return { type, serverId: 1, nextPosition: 0, buf: body, start: 0, end: body.length };
}

/** A TRANSACTION_PAYLOAD event's body as MySQL 8 writes it: compression (zstd), uncompressed size, payload size, end mark, payload. */
function transactionPayload(): BinlogEventView {
  const payload = Buffer.from(COMPRESSED_TRANSACTION, "hex");
  const header = Buffer.from([2, 1, 0, 3, 3, 0xfc, 0x8a, 0x09, 1, 3, 0xfc, payload.length & 0xff, payload.length >> 8, 0]);
  return view(EVENT.TRANSACTION_PAYLOAD, Buffer.concat([header, payload]));
}

function column(name: string, dataType: string, columnType: string, nullable: boolean): RollbackColumn {
  const text = dataType === "longtext";
  return { name, dataType, columnType, nullable, generated: false, autoIncrement: false, updatesItself: false, charset: text ? "utf8mb4" : undefined, collation: text ? "utf8mb4_0900_ai_ci" : undefined, fractionDigits: 0 };
}

/** The recorded transaction's table, as the catalog would describe it. */
const LARGE_DATA: RollbackTable = {
  schema: "compression_test",
  table: "large_data",
  columns: [column("id", "int", "int", false), column("data", "longtext", "longtext", true), column("created_at", "timestamp", "timestamp", true)],
  key: ["id"],
};

/** Our transaction's row events, as the reader hands them over. */
function rowsOf(events: BinlogEventView[], threadId: number): { rows: Array<{ event: RowsEvent; table: TableMap }>; ended: boolean } {
  const rows: Array<{ event: RowsEvent; table: TableMap }> = [];
  const transaction = new TransactionRowEvents({ threadId }, (event, table) => rows.push({ event: { ...event, buf: Buffer.from(event.buf) }, table }));
  let ended = false;
  for (const event of events) if (transaction.read(event) === "committed") ended = true;
  return { rows, ended };
}

describe("MySQL 8 binlog events, on bytes recorded from MySQL 8", () => {
  it("reads a TABLE_MAP written with binlog_row_metadata=FULL, passing over the optional metadata after its columns", () => {
    assert.deepEqual(readTableMap(view(EVENT.TABLE_MAP, Buffer.from(TABLE_MAP_WITH_METADATA.prim, "hex"))), {
      id: 0x6c,
      schema: "test",
      table: "_prim",
      types: [3, 15, 8],
      meta: [0, 120, 0],
    });
    const prim2 = readTableMap(view(EVENT.TABLE_MAP, Buffer.from(TABLE_MAP_WITH_METADATA.prim2, "hex")));
    assert.deepEqual([prim2.table, prim2.types, prim2.meta], ["_prim2", [3, 254, 3, 15], [0, 0xfe | (0x28 << 8), 0, 80]]);
    const types = readTableMap(view(EVENT.TABLE_MAP, Buffer.from(TABLE_MAP_WITH_METADATA.types, "hex")));
    assert.equal(types.types.length, 42);
    // decimal(65,30): precision then scale; char(255) utf8mb4: real type and length; the last three: geometry, json (4 length bytes each) in place.
    assert.equal(types.meta[7], 65 | (30 << 8));
    assert.deepEqual(types.types.slice(-4), [254, 254, 255, 245]);
    assert.deepEqual(types.meta.slice(-2), [4, 4]);
  });

  it("opens a compressed transaction (TRANSACTION_PAYLOAD, zstd) and undoes its v2 row events", () => {
    const inner = [...payloadEvents(transactionPayload())];
    assert.deepEqual(
      inner.map((event) => event.type),
      [EVENT.QUERY, EVENT.TABLE_MAP, 30, EVENT.TABLE_MAP, 31, EVENT.TABLE_MAP, 32, EVENT.XID],
    );
    const { rows, ended } = rowsOf([transactionPayload()], 12);
    assert.equal(ended, true, "the XID inside the payload ends our transaction");
    assert.deepEqual(
      rows.map(({ event, table }) => [event.kind, `${table.schema}.${table.table}`, table.types]),
      [
        ["insert", "compression_test.large_data", [3, 252, 17]],
        ["update", "compression_test.large_data", [3, 252, 17]],
        ["delete", "compression_test.large_data", [3, 252, 17]],
      ],
    );
    const scripts = rows.map(({ event, table }) => new InverseWriter(LARGE_DATA, table).write(event));
    // Row 2 is inserted, both rows' data set to 'updated', row 1 deleted: the inverses, latest row first.
    assert.deepEqual(scripts.map((script) => script.rows), [1, 2, 1]);
    assert.match(scripts[0]!.text, /^DELETE FROM `compression_test`\.`large_data` WHERE `id` = 2 AND `data` <=> '9b32e8e9[0-9a-f]+' COLLATE utf8mb4_bin AND `created_at` <=> CONVERT_TZ\('\d{4}-\d\d-\d\d \d\d:\d\d:\d\d', '\+00:00', @@session\.time_zone\);\n$/);
    assert.match(
      scripts[1]!.text,
      /^UPDATE `compression_test`\.`large_data` SET `data` = '9b32e8e9[0-9a-f]+' WHERE `id` = 2 AND `data` <=> 'updated' COLLATE utf8mb4_bin AND `created_at` <=> CONVERT_TZ\('2025-03-28 09:54:29', [^;]+;\nUPDATE [^;]+ WHERE `id` = 1 AND `data` <=> 'updated' COLLATE utf8mb4_bin AND `created_at` <=> CONVERT_TZ\('2025-03-28 09:53:58', [^;]+;\n$/,
    );
    assert.equal(
      scripts[2]!.text,
      "INSERT INTO `compression_test`.`large_data` (`id`, `data`, `created_at`) VALUES (1, 'updated', CONVERT_TZ('2025-03-28 09:53:58', '+00:00', @@session.time_zone));\n",
    );
    assert.deepEqual(rowsOf([transactionPayload()], 13), { rows: [], ended: false }, "another thread's compressed transaction is not ours");
  });

  it("passes over MySQL 8 GTID events: a MySQL transaction is told by its BEGIN's thread id", () => {
    const gtids = MYSQL8_GTID_EVENTS.map((hex) => view(GTID_LOG_EVENT, Buffer.from(hex, "hex")));
    const { rows, ended } = rowsOf([gtids[0]!, transactionPayload(), gtids[1]!], 12);
    assert.equal(rows.length, 3);
    assert.equal(ended, true);
  });

  it("reads a v2 row event whose extra data holds a partition id, as MySQL 8 writes it for a partitioned table", () => {
    const write = [...payloadEvents(transactionPayload())].find((event) => event.type === WRITE_ROWS_V2)!;
    const body = write.buf.subarray(write.start, write.end);
    // table id (6), flags (2), then the extra data's length (2, counting itself): 2 when empty, as recorded.
    assert.equal(body.readUInt16LE(8), 2);
    const partitioned = Buffer.concat([body.subarray(0, 8), Buffer.from([5, 0, 1, 3, 0]), body.subarray(10)]);
    const plain = readRowsEvent(view(WRITE_ROWS_V2, Buffer.from(body)));
    const withExtra = readRowsEvent(view(WRITE_ROWS_V2, partitioned));
    assert.equal(withExtra.tableId, plain.tableId);
    assert.deepEqual(withExtra.buf.subarray(withExtra.start, withExtra.end), plain.buf.subarray(plain.start, plain.end));
  });

  it("refuses its own transaction's partial JSON update (PARTIAL_UPDATE_ROWS) with the reason, and passes over another's", () => {
    const inner = [...payloadEvents(transactionPayload())];
    // The recorded UPDATE_ROWS event under PARTIAL_UPDATE_ROWS_EVENT's type: what a session with PARTIAL_JSON writes.
    const partial = inner.map((event) => (event.type === 31 ? { ...event, type: EVENT.PARTIAL_UPDATE_ROWS } : event));
    assert.throws(() => rowsOf(partial, 12), /partial JSON \(binlog_row_value_options=PARTIAL_JSON\), which Sluice cannot undo/);
    assert.deepEqual(rowsOf(partial, 13), { rows: [], ended: false });
  });
});

describe("the replication connection to a MySQL 8 source", () => {
  const account = { user: "sluice", password: "Repl-secret-8" };

  it("authenticates with caching_sha2_password (full exchange over the RSA key) and reads the change's compressed transaction", async () => {
    const gtid = Buffer.from(MYSQL8_GTID_EVENTS[0]!, "hex");
    const payload = transactionPayload();
    const source = await startReplicationSource(account, [
      { type: GTID_LOG_EVENT, body: gtid },
      { type: EVENT.TRANSACTION_PAYLOAD, body: payload.buf },
    ]);
    try {
      const target = { host: "127.0.0.1", port: source.port, ...account, connectTimeoutMs: 5_000 };
      const kinds: string[] = [];
      await readTransactionRows(target, { file: "binlog.000007", position: 4 }, { file: "binlog.000007", position: 1_000_000 }, { threadId: 12 }, (event) => kinds.push(event.kind));
      assert.deepEqual(kinds, ["insert", "update", "delete"]);
      assert.deepEqual(source.log.authentications, ["full"]);
      assert.deepEqual(source.log.dumps, [{ file: "binlog.000007", position: 4 }]);
      await assert.rejects(
        readTransactionRows({ ...target, password: "wrong" }, { file: "binlog.000007", position: 4 }, { file: "binlog.000007", position: 1_000_000 }, { threadId: 12 }, () => {}),
        /Access denied/,
      );
      assert.deepEqual(source.log.authentications, ["full", "refused"]);
    } finally {
      await source.close();
    }
  });
});
