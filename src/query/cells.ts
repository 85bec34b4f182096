// How a value from either driver reads as text: NULL, bytes as hex, big numbers exactly as the server sent them.
import { MASK } from "./masking.ts";

export const NULL_TEXT = "NULL";

/** The full text of a value, for CSV files (nothing cut). `null` stays null so CSV can leave the field empty. */
export function valueText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return `0x${value.toString("hex")}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner));
}

/**
 * One line of text for a table cell: NULL spelled out, line breaks and tabs made visible. `upTo` cuts the text first
 * (a cell shows a few dozen characters; reading a whole 20 MB value to show them would stall every other request).
 */
export function cellText(value: unknown, upTo = Number.MAX_SAFE_INTEGER): string {
  if (value === MASK) return MASK;
  const text = shownPart(value, upTo);
  if (text === null) return NULL_TEXT;
  return text.replace(/\r\n|\r|\n/g, "↵").replace(/\t/g, "⇥");
}

function shownPart(value: unknown, upTo: number): string | null {
  if (typeof value === "string") return value.length > upTo ? value.slice(0, upTo) : value;
  if (Buffer.isBuffer(value) && value.length * 2 + 2 > upTo) return `0x${value.subarray(0, Math.ceil(upTo / 2)).toString("hex")}`;
  return valueText(value);
}

/** RFC 4180 CSV; a field a spreadsheet would read as a formula is prefixed with a quote. */
export function toCsv(columns: string[], rows: unknown[][]): string {
  const line = (fields: Array<string | null>): string => fields.map(csvField).join(",");
  return [line(columns), ...rows.map((row) => line(row.map(valueText)))].join("\r\n") + "\r\n";
}

function csvField(text: string | null): string {
  if (text === null) return "";
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}
