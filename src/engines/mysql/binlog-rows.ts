// The binlog's row events read in place: TABLE_MAP's column descriptions, and where a rows event's row images lie.
import { inflateSync } from "node:zlib";
import { decompress } from "fzstd";
import { EngineError } from "../errors.ts";
import type { BinlogEventView } from "./binlog-stream.ts";

export type RowEventKind = "insert" | "update" | "delete";

export const EVENT = {
  QUERY: 2,
  ROTATE: 4,
  XID: 16,
  TABLE_MAP: 19,
  PARTIAL_UPDATE_ROWS: 39,
  TRANSACTION_PAYLOAD: 40,
  MARIADB_GTID: 162,
  /** MariaDB's compressed Query event (log_bin_compress). */
  QUERY_COMPRESSED: 165,
} as const;

/** Row event types: v1 (MariaDB's default), v2 (MySQL's), and MariaDB's compressed forms of both (log_bin_compress). */
const ROWS: Record<number, { kind: RowEventKind; v2: boolean; compressed: boolean }> = {};
for (const [kind, v1, v2, compressedV1, compressedV2] of [
  ["insert", 23, 30, 166, 169],
  ["update", 24, 31, 167, 170],
  ["delete", 25, 32, 168, 171],
] as const) {
  ROWS[v1] = { kind, v2: false, compressed: false };
  ROWS[v2] = { kind, v2: true, compressed: false };
  ROWS[compressedV1] = { kind, v2: false, compressed: true };
  ROWS[compressedV2] = { kind, v2: true, compressed: true };
}

export function isRowsEvent(type: number): boolean {
  return type in ROWS;
}

/** A table as the binlog describes it: per column its binlog type and the type's metadata (two bytes, little-endian). */
export interface TableMap {
  id: number;
  schema: string;
  table: string;
  types: number[];
  meta: number[];
}

export interface RowsEvent {
  kind: RowEventKind;
  tableId: number;
  /** The row images are buf[start, end): each a null bitmap, then the values; an update's before image precedes its after image. */
  buf: Buffer;
  start: number;
  end: number;
}

/** Bytes of metadata TABLE_MAP carries per column type; types absent here carry none. */
const META_BYTES: Record<number, number> = { 4: 1, 5: 1, 15: 2, 16: 2, 17: 1, 18: 1, 19: 1, 245: 1, 246: 2, 247: 2, 248: 2, 252: 1, 253: 2, 254: 2, 255: 1 };

/** A Query event's post-header and where its text starts (its text runs to the end of the body). */
export interface QueryEventHead {
  threadId: number;
  /** Non-zero when the server logged the statement though it ended in an error (it took effect in part). */
  errorCode: number;
  textStart: number;
}

export function readQueryHead(event: BinlogEventView): QueryEventHead {
  const { buf, start } = event;
  // thread id (4), time (4), schema length (1), error code (2), status variables' length (2), the variables, schema, NUL
  return {
    threadId: buf.readUInt32LE(start),
    errorCode: buf.readUInt16LE(start + 9),
    textStart: start + 13 + buf.readUInt16LE(start + 11) + buf[start + 8]! + 1,
  };
}

export function readTableMap(event: BinlogEventView): TableMap {
  const { buf } = event;
  let at = event.start;
  const id = buf.readUIntLE(at, 6);
  at += 8; // table id, flags
  const schemaLength = buf[at]!;
  const schema = buf.toString("utf8", at + 1, at + 1 + schemaLength);
  at += schemaLength + 2;
  const tableLength = buf[at]!;
  const table = buf.toString("utf8", at + 1, at + 1 + tableLength);
  at += tableLength + 2;
  const [count, afterCount] = lengthEncoded(buf, at);
  at = afterCount;
  const types = Array.from(buf.subarray(at, at + count));
  at += count;
  at = lengthEncoded(buf, at)[1];
  const meta = types.map((type) => {
    const bytes = META_BYTES[type] ?? 0;
    const value = bytes === 0 ? 0 : bytes === 1 ? buf[at]! : buf[at]! | (buf[at + 1]! << 8);
    at += bytes;
    return value;
  });
  return { id, schema, table, types, meta };
}

/** Reads a rows event's header; refuses images that do not hold every column (binlog_row_image other than FULL). */
export function readRowsEvent(event: BinlogEventView): RowsEvent {
  const shape = ROWS[event.type]!;
  const { buf } = event;
  let at = event.start;
  const tableId = buf.readUIntLE(at, 6);
  at += 8; // table id, flags
  if (shape.v2) at += buf.readUInt16LE(at); // the extra data's length counts its own two bytes
  const [count, afterCount] = lengthEncoded(buf, at);
  at = afterCount;
  const bitmapBytes = (count + 7) >> 3;
  for (let image = 0; image < (shape.kind === "update" ? 2 : 1); image++) {
    for (let i = 0; i < bitmapBytes; i++) {
      const full = i === bitmapBytes - 1 && count % 8 !== 0 ? (1 << count % 8) - 1 : 0xff;
      if ((buf[at + i]! & full) !== full) {
        throw new EngineError("the change's row events do not hold every column (binlog_row_image is not FULL for them)", { kind: "invalid" });
      }
    }
    at += bitmapBytes;
  }
  if (!shape.compressed) return { kind: shape.kind, tableId, buf, start: at, end: event.end };
  const rows = inflateRows(buf.subarray(at, event.end));
  return { kind: shape.kind, tableId, buf: rows, start: 0, end: rows.length };
}

/** MariaDB's compressed row images: a header byte (0x80 | length of the size), the original size, then zlib. */
function inflateRows(payload: Buffer): Buffer {
  const header = payload[0] ?? 0;
  const sizeBytes = header & 0x07;
  if ((header & 0xf0) !== 0x80 || sizeBytes < 1 || sizeBytes > 4) {
    throw new EngineError(`a compressed row event has an unknown header (0x${header.toString(16)})`, { kind: "invalid" });
  }
  return inflateSync(payload.subarray(1 + sizeBytes));
}

/** TRANSACTION_PAYLOAD's header fields (type, length, value), ended by HEADER_END; its compression types. */
const PAYLOAD_FIELD = { HEADER_END: 0, SIZE: 1, COMPRESSION: 2 } as const;
const PAYLOAD_COMPRESSION = { ZSTD: 0, NONE: 255 } as const;
const EVENT_HEADER_LENGTH = 19;

/**
 * The events a MySQL 8 compressed transaction holds (binlog_transaction_compression=ON): its header, then the payload,
 * zstd-compressed (or not), which is the transaction's events one after another, each with its header and no checksum.
 */
export function* payloadEvents(event: BinlogEventView): Generator<BinlogEventView> {
  const { buf } = event;
  let at = event.start;
  let size: number | undefined;
  let compression: number | undefined;
  for (;;) {
    if (at >= event.end) throw new EngineError("a TRANSACTION_PAYLOAD event ends inside its header", { kind: "invalid" });
    const [field, afterField] = lengthEncoded(buf, at);
    if (field === PAYLOAD_FIELD.HEADER_END) {
      at = afterField;
      break;
    }
    const [length, afterLength] = lengthEncoded(buf, afterField);
    if (field === PAYLOAD_FIELD.SIZE) size = lengthEncoded(buf, afterLength)[0];
    if (field === PAYLOAD_FIELD.COMPRESSION) compression = lengthEncoded(buf, afterLength)[0];
    at = afterLength + length;
  }
  if (size === undefined || at + size > event.end) throw new EngineError("a TRANSACTION_PAYLOAD event's payload size does not fit the event", { kind: "invalid" });
  const payload = buf.subarray(at, at + size);
  let events: Buffer;
  if (compression === PAYLOAD_COMPRESSION.NONE) events = payload;
  else if (compression === PAYLOAD_COMPRESSION.ZSTD) events = Buffer.from(decompress(payload));
  else throw new EngineError(`a TRANSACTION_PAYLOAD event is compressed by an unknown algorithm (${compression})`, { kind: "invalid" });
  for (let pos = 0; pos < events.length; ) {
    const length = events.readUInt32LE(pos + 9);
    if (length < EVENT_HEADER_LENGTH || pos + length > events.length) throw new EngineError("a TRANSACTION_PAYLOAD event holds a cut event", { kind: "invalid" });
    yield {
      type: events[pos + 4]!,
      serverId: events.readUInt32LE(pos + 5),
      nextPosition: events.readUInt32LE(pos + 13),
      buf: events,
      start: pos + EVENT_HEADER_LENGTH,
      end: pos + length,
    };
    pos += length;
  }
}

/** MySQL's length-encoded integer: the value and the offset after it. */
function lengthEncoded(buf: Buffer, at: number): [number, number] {
  const first = buf[at]!;
  if (first < 0xfb) return [first, at + 1];
  if (first === 0xfc) return [buf.readUInt16LE(at + 1), at + 3];
  if (first === 0xfd) return [buf.readUIntLE(at + 1, 3), at + 4];
  return [buf.readUIntLE(at + 1, 6), at + 9];
}
