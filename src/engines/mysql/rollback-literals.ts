// Exact MySQL literals written straight from the binlog's row image bytes, one reader per column type.
import { EngineError } from "../errors.ts";
import { mysqlJsonText } from "./binlog-json.ts";
import { quoteLiteral } from "./quote.ts";
import type { RollbackColumn } from "./rollback-catalog.ts";

/** How one column's non-NULL value lies in a row image, and its literal. */
export interface LiteralReader {
  /** The bytes every value takes, for fixed-size types; undefined when size() reads them from a length prefix. */
  width?: number;
  /** The bytes the value at `pos` takes, its length prefix included. */
  size(buf: Buffer, pos: number): number;
  literal(buf: Buffer, pos: number): string;
}

/** Collation a guard compares text with: byte-exact, so a change of case or accent counts as a change. */
export const EXACT_COLLATION = " COLLATE utf8mb4_bin";

const TEXT = new Set(["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"]);

/** Whether a guard compares this column's (non-NULL) values under EXACT_COLLATION: text compares byte-exact. */
export function comparesAsText(column: RollbackColumn): boolean {
  return TEXT.has(column.dataType);
}

/** Binlog column types (MySQL's enum_field_types). */
const T = {
  TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, TIMESTAMP: 7, LONGLONG: 8, INT24: 9, DATE: 10, TIME: 11, DATETIME: 12,
  YEAR: 13, VARCHAR: 15, BIT: 16, TIMESTAMP2: 17, DATETIME2: 18, TIME2: 19, JSON: 245, NEWDECIMAL: 246, ENUM: 247, SET: 248,
  BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255,
} as const;

/**
 * The reader for one column, from its binlog type and metadata (see binlog-rows.ts) and what the catalog says
 * (signedness, character set, ENUM/SET members). TIMESTAMP travels as UTC text converted into whatever time zone
 * the session running the rollback uses.
 */
export function literalReader(type: number, meta: number, column: RollbackColumn): LiteralReader {
  const unsigned = /\bunsigned\b/i.test(column.columnType);
  switch (type) {
    case T.TINY:
      return fixed(1, unsigned ? (buf, pos) => String(buf[pos]) : (buf, pos) => String(buf.readInt8(pos)));
    case T.SHORT:
      return fixed(2, unsigned ? (buf, pos) => String(buf.readUInt16LE(pos)) : (buf, pos) => String(buf.readInt16LE(pos)));
    case T.INT24:
      return fixed(3, unsigned ? (buf, pos) => String(buf.readUIntLE(pos, 3)) : (buf, pos) => String(buf.readIntLE(pos, 3)));
    case T.LONG:
      return fixed(4, unsigned ? (buf, pos) => String(buf.readUInt32LE(pos)) : (buf, pos) => String(buf.readInt32LE(pos)));
    case T.LONGLONG:
      return fixed(8, unsigned ? (buf, pos) => String(buf.readBigUInt64LE(pos)) : (buf, pos) => String(buf.readBigInt64LE(pos)));
    case T.YEAR:
      // 0 is the year 0000; a number (not the text '0', which means 2000) stores it back.
      return fixed(1, (buf, pos) => (buf[pos] === 0 ? "0" : String(1900 + buf[pos]!)));
    case T.FLOAT:
      return fixed(4, (buf, pos) => floatLiteral(buf.readFloatLE(pos)));
    case T.DOUBLE:
      return fixed(8, (buf, pos) => floatLiteral(buf.readDoubleLE(pos)));
    case T.NEWDECIMAL:
      return decimalReader(meta & 0xff, meta >> 8);
    case T.BIT: {
      const bytes = (meta >> 8) + ((meta & 0xff) > 0 ? 1 : 0);
      return fixed(bytes, (buf, pos) => (bytes <= 6 ? String(bytes === 0 ? 0 : buf.readUIntBE(pos, bytes)) : BigInt("0x" + buf.toString("hex", pos, pos + bytes)).toString()));
    }
    case T.DATE:
      return fixed(3, (buf, pos) => `'${dateText(buf.readUIntLE(pos, 3))}'`);
    case T.DATETIME2:
      return datetime2Reader(meta);
    case T.TIMESTAMP2:
      return timestamp2Reader(meta);
    case T.TIME2:
      return time2Reader(meta);
    case T.DATETIME:
    case T.TIMESTAMP:
    case T.TIME:
      if (column.fractionDigits > 0) {
        throw unsupported(column, "its pre-10.1 MariaDB fractional-second format (ALTER TABLE … FORCE rewrites it in the current one)");
      }
      return type === T.DATETIME ? oldDatetimeReader : type === T.TIMESTAMP ? fixed(4, (buf, pos) => timestampLiteral(buf.readUInt32LE(pos), 0, 0)) : oldTimeReader;
    case T.VARCHAR:
    case T.VAR_STRING:
      return stringReader(meta > 255 ? 2 : 1, column, 0);
    case T.STRING:
      return stringTypeReader(meta, column);
    case T.BLOB:
    case T.GEOMETRY:
      return stringReader(meta, column, 0);
    case T.JSON:
      return lengthPrefixed(meta, (buf, start, end) => (end === start ? "NULL" : `CAST(${textLiteral(mysqlJsonText(buf.subarray(start, end)))} AS JSON)`));
    default:
      throw unsupported(column, `its binlog type ${type}`);
  }
}

function fixed(bytes: number, literal: (buf: Buffer, pos: number) => string): LiteralReader {
  return { width: bytes, size: () => bytes, literal };
}

function lengthPrefixed(prefixBytes: number, read: (buf: Buffer, start: number, end: number) => string): LiteralReader {
  const length = prefixBytes === 1 ? (buf: Buffer, pos: number) => buf[pos]! : (buf: Buffer, pos: number) => buf.readUIntLE(pos, prefixBytes);
  return {
    size: (buf, pos) => prefixBytes + length(buf, pos),
    literal: (buf, pos) => read(buf, pos + prefixBytes, pos + prefixBytes + length(buf, pos)),
  };
}

/** CHAR/BINARY, ENUM and SET share the STRING type; its metadata names the real type and the length. */
function stringTypeReader(meta: number, column: RollbackColumn): LiteralReader {
  const first = meta & 0xff;
  const second = meta >> 8;
  // Lengths over 255 borrow two bits of the type byte (MySQL's Field_string::do_save_field_metadata).
  const realType = (first & 0x30) !== 0x30 ? first | 0x30 : first;
  const length = (first & 0x30) !== 0x30 ? (((first & 0x30) ^ 0x30) << 4) | second : second;
  if (realType === T.ENUM) return enumReader(second, members(column));
  if (realType === T.SET) return setReader(second, members(column));
  // BINARY(n) images drop trailing zero bytes: they are padded back, or a guard would not find the row.
  return stringReader(length > 255 ? 2 : 1, column, column.charset === undefined ? length : 0);
}

function stringReader(prefixBytes: number, column: RollbackColumn, padTo: number): LiteralReader {
  if (column.charset === undefined) {
    return lengthPrefixed(prefixBytes, (buf, start, end) => {
      const hex = buf.toString("hex", start, end);
      return `X'${end - start < padTo ? hex.padEnd(padTo * 2, "0") : hex}'`;
    });
  }
  return lengthPrefixed(prefixBytes, textDecoder(column));
}

const UTF8 = new Set(["utf8mb4", "utf8mb3", "utf8", "ascii"]);
/** MySQL's latin1 is Windows-1252 (its five unassigned bytes map to the same C1 controls in both). */
const DECODERS: Record<string, string> = { latin1: "windows-1252" };

function textDecoder(column: RollbackColumn): (buf: Buffer, start: number, end: number) => string {
  const charset = column.charset!;
  if (UTF8.has(charset)) return (buf, start, end) => textLiteral(buf.toString("utf8", start, end));
  const label = DECODERS[charset];
  if (label) {
    const decoder = new TextDecoder(label);
    return (buf, start, end) => textLiteral(decoder.decode(buf.subarray(start, end)));
  }
  if (!/^[a-z0-9_]+$/.test(charset)) throw unsupported(column, `its character set ${charset}`);
  // Any other character set: its own bytes under its own introducer, converted so a utf8mb4 guard can compare them.
  return (buf, start, end) => `CONVERT(_${charset} X'${buf.toString("hex", start, end)}' USING utf8mb4)`;
}

const NEEDS_ESCAPE = /[\\'\n\r\x1a\0]/;

function textLiteral(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return `'${value}'`;
  // quoteLiteral refuses NUL; the hex form under an explicit character set carries any text.
  return value.includes("\0") ? `_utf8mb4 X'${Buffer.from(value, "utf8").toString("hex")}'` : quoteLiteral(value);
}

/** ENUM/SET members as the catalog spells them: `enum('a','it''s')`. */
function members(column: RollbackColumn): string[] {
  return [...column.columnType.matchAll(/'((?:[^']|'')*)'/g)].map((match) => match[1]!.replaceAll("''", "'"));
}

function enumReader(bytes: number, names: string[]): LiteralReader {
  // Index 0 is the empty value a server stores for an invalid one.
  const literals = ["''", ...names.map(textLiteral)];
  return fixed(bytes, (buf, pos) => literals[bytes === 1 ? buf[pos]! : buf.readUInt16LE(pos)] ?? "''");
}

function setReader(bytes: number, names: string[]): LiteralReader {
  return fixed(bytes, (buf, pos) => {
    const chosen: string[] = [];
    for (let i = 0; i < bytes * 8 && i < names.length; i++) {
      if (buf[pos + (i >> 3)]! & (1 << (i & 7))) chosen.push(names[i]!);
    }
    return textLiteral(chosen.join(","));
  });
}

function floatLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new EngineError(`rollback cannot write the floating-point value ${value}`, { kind: "invalid" });
  // JavaScript prints the shortest text that reads back as the same double; a FLOAT's value is exactly a double.
  return Object.is(value, -0) ? "-0e0" : String(value);
}

const DIGIT_BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

/**
 * MySQL's binary DECIMAL: integer and fraction digits in groups of nine per four big-endian bytes (fewer for the
 * leftover digits), the sign in the first bit, negative numbers with every bit inverted.
 */
function decimalReader(precision: number, scale: number): LiteralReader {
  const integerDigits = precision - scale;
  const leadDigits = integerDigits % 9;
  const integerGroups = Math.floor(integerDigits / 9);
  const fractionGroups = Math.floor(scale / 9);
  const tailDigits = scale % 9;
  const size = DIGIT_BYTES[leadDigits]! + integerGroups * 4 + fractionGroups * 4 + DIGIT_BYTES[tailDigits]!;
  return fixed(size, (buf, start) => {
    let pos = start;
    const negative = (buf[pos]! & 0x80) === 0;
    const mask = negative ? 0xff : 0;
    const read = (bytes: number, first: boolean): number => {
      let value = 0;
      for (let i = 0; i < bytes; i++) value = value * 256 + ((buf[pos + i]! ^ mask ^ (first && i === 0 ? 0x80 : 0)) & 0xff);
      pos += bytes;
      return value;
    };
    let integer = "";
    let first = true;
    if (leadDigits > 0) {
      integer = String(read(DIGIT_BYTES[leadDigits]!, true));
      first = false;
    }
    for (let i = 0; i < integerGroups; i++, first = false) integer += String(read(4, first)).padStart(9, "0");
    let fraction = "";
    for (let i = 0; i < fractionGroups; i++, first = false) fraction += String(read(4, first)).padStart(9, "0");
    if (tailDigits > 0) fraction += String(read(DIGIT_BYTES[tailDigits]!, first)).padStart(tailDigits, "0");
    integer = integer.replace(/^0+/, "") || "0";
    return (negative ? "-" : "") + integer + (scale > 0 ? "." + fraction : "");
  });
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0"));
const pad2 = (n: number): string => TWO_DIGITS[n] ?? String(n);
const pad4 = (n: number): string => String(n).padStart(4, "0");

function dateText(packed: number): string {
  return `${pad4(packed >> 9)}-${pad2((packed >> 5) & 15)}-${pad2(packed & 31)}`;
}

/** Bytes and reading of the fraction that follows TIME2, DATETIME2 and TIMESTAMP2: microseconds. */
function fractionBytes(digits: number): number {
  return (digits + 1) >> 1;
}

function readMicroseconds(buf: Buffer, pos: number, digits: number): number {
  if (digits === 0) return 0;
  const bytes = fractionBytes(digits);
  return buf.readUIntBE(pos, bytes) * (bytes === 1 ? 10_000 : bytes === 2 ? 100 : 1);
}

function fractionText(microseconds: number, digits: number): string {
  return digits === 0 ? "" : "." + String(microseconds).padStart(6, "0").slice(0, digits);
}

function datetime2Reader(digits: number): LiteralReader {
  const size = 5 + fractionBytes(digits);
  return fixed(size, (buf, pos) => {
    // 40 bits past an offset of 2^39: year*13+month (17 bits), day (5), hour (5), minute (6), second (6).
    const packed = buf.readUIntBE(pos, 5) - 0x8000000000;
    const ymd = Math.floor(packed / 2 ** 17);
    const hms = packed % 2 ** 17;
    const yearMonth = ymd >> 5;
    const time = `${pad2(hms >> 12)}:${pad2((hms >> 6) & 63)}:${pad2(hms & 63)}`;
    const text = `${pad4(Math.floor(yearMonth / 13))}-${pad2(yearMonth % 13)}-${pad2(ymd & 31)} ${time}`;
    return `'${text}${fractionText(readMicroseconds(buf, pos + 5, digits), digits)}'`;
  });
}

function timestamp2Reader(digits: number): LiteralReader {
  return fixed(4 + fractionBytes(digits), (buf, pos) => timestampLiteral(buf.readUInt32BE(pos), readMicroseconds(buf, pos + 4, digits), digits));
}

/** Epoch seconds as UTC text, converted into the session's zone when the rollback runs; 0 is the zero timestamp. */
function timestampLiteral(seconds: number, microseconds: number, digits: number): string {
  const fraction = fractionText(microseconds, digits);
  if (seconds === 0 && microseconds === 0) return `'0000-00-00 00:00:00${fraction}'`;
  return `CONVERT_TZ('${utcText(seconds)}${fraction}', '+00:00', @@session.time_zone)`;
}

/** Days since 1970 to a civil date (Howard Hinnant's algorithm), so no Date object is made per value. */
function utcText(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad4(year)}-${pad2(month)}-${pad2(day)} ${pad2(Math.floor(rest / 3600))}:${pad2(Math.floor(rest / 60) % 60)}:${pad2(rest % 60)}`;
}

function time2Reader(digits: number): LiteralReader {
  const bytes = fractionBytes(digits);
  return fixed(3 + bytes, (buf, pos) => {
    // MySQL's my_time_packed_from_binary: hours (10 bits), minutes (6), seconds (6) past an offset, then the fraction.
    let packed: number;
    if (bytes === 3) {
      packed = buf.readUIntBE(pos, 6) - 0x800000000000;
    } else {
      let integer = buf.readUIntBE(pos, 3) - 0x800000;
      let fraction = bytes === 0 ? 0 : buf.readUIntBE(pos + 3, bytes);
      if (integer < 0 && fraction !== 0) {
        integer += 1;
        fraction -= bytes === 1 ? 0x100 : 0x10000;
      }
      packed = integer * 2 ** 24 + fraction * (bytes === 1 ? 10_000 : bytes === 2 ? 100 : 1);
    }
    const negative = packed < 0;
    const magnitude = Math.abs(packed);
    const hms = Math.floor(magnitude / 2 ** 24);
    const microseconds = magnitude % 2 ** 24;
    const text = `${negative ? "-" : ""}${pad2(hms >> 12)}:${pad2((hms >> 6) & 63)}:${pad2(hms & 63)}`;
    return `'${text}${fractionText(microseconds, digits)}'`;
  });
}

/** DATETIME before MySQL 5.6: the digits YYYYMMDDhhmmss as one little-endian 64-bit number. */
const oldDatetimeReader: LiteralReader = fixed(8, (buf, pos) => {
  const value = buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) * 2 ** 32;
  const date = Math.floor(value / 1_000_000);
  const time = value % 1_000_000;
  const clock = `${pad2(Math.floor(time / 10_000))}:${pad2(Math.floor(time / 100) % 100)}:${pad2(time % 100)}`;
  return `'${pad4(Math.floor(date / 10_000))}-${pad2(Math.floor(date / 100) % 100)}-${pad2(date % 100)} ${clock}'`;
});

/** TIME before MySQL 5.6: the digits hhmmss as one signed little-endian 24-bit number. */
const oldTimeReader: LiteralReader = fixed(3, (buf, pos) => {
  const value = buf.readIntLE(pos, 3);
  const magnitude = Math.abs(value);
  return `'${value < 0 ? "-" : ""}${pad2(Math.floor(magnitude / 10_000))}:${pad2(Math.floor(magnitude / 100) % 100)}:${pad2(magnitude % 100)}'`;
});

function unsupported(column: RollbackColumn, what: string): EngineError {
  return new EngineError(`rollback cannot write ${what} of column ${column.name} (${column.columnType})`, { kind: "invalid" });
}
