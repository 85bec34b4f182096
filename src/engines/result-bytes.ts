// Counts what a query result holds in memory, so that reading stops at a byte limit whatever the rows hold.

/** Bytes a value holds, as near as matters: a string's UTF-16 length counts one byte a character. */
export function valueBytes(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (Buffer.isBuffer(value)) return value.length;
  if (value === null || value === undefined) return 1;
  if (typeof value === "object") return JSON.stringify(value)?.length ?? 8;
  return 8;
}

export function rowBytes(row: readonly unknown[]): number {
  let total = 0;
  for (const value of row) total += valueBytes(value);
  return total;
}

/** The row with each value cut so that together they hold at most `budget` bytes (the last row a cut result keeps). */
export function cutRow(row: readonly unknown[], budget: number): unknown[] {
  let left = Math.max(0, budget);
  return row.map((value) => {
    const size = valueBytes(value);
    if (size <= left) {
      left -= size;
      return value;
    }
    const kept = left;
    left = 0;
    if (typeof value === "string") return value.slice(0, kept);
    if (Buffer.isBuffer(value)) return value.subarray(0, kept);
    return null;
  });
}

/** Keeps rows until their bytes reach the limit; the row that crosses it is kept cut. */
export class ResultBudget {
  private used = 0;
  cut = false;

  constructor(private readonly maxBytes: number) {}

  /** The row to keep (cut when it crosses the limit), or undefined once the limit has been reached. */
  admit(row: unknown[]): unknown[] | undefined {
    if (this.cut) return undefined;
    const size = rowBytes(row);
    if (this.used + size <= this.maxBytes) {
      this.used += size;
      return row;
    }
    this.cut = true;
    const kept = cutRow(row, this.maxBytes - this.used);
    this.used = this.maxBytes;
    return kept;
  }

  /** Rows of about this size that fit in a quarter of the budget: how many to ask the server for at once. */
  batchFor(averageRowBytes: number, most: number): number {
    return Math.max(1, Math.min(most, Math.floor(this.maxBytes / 4 / Math.max(1, averageRowBytes))));
  }
}
