// What a MySQL rollback needs to know about a table the binlog names: its columns and the key rows are found by.
import type { MySqlSession } from "./session.ts";

export const ROLLBACK_COLUMNS = `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType,
    IS_NULLABLE = 'YES' AS nullable, COALESCE(GENERATION_EXPRESSION, '') <> '' AS generated, EXTRA LIKE '%auto_increment%' AS autoIncrement,
    EXTRA LIKE '%on update%' AS updatesItself,
    CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, DATETIME_PRECISION AS fractionDigits
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`;

export const ROLLBACK_KEYS = `SELECT INDEX_NAME AS indexName, COLUMN_NAME AS columnName, SUB_PART AS subPart
  FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0
  ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`;

export interface RollbackColumn {
  name: string;
  /** Lower case, e.g. `varchar`. */
  dataType: string;
  /** As the server spells it (ENUM and SET members keep their case), e.g. `enum('a','B')`, `int(10) unsigned`. */
  columnType: string;
  nullable: boolean;
  generated: boolean;
  autoIncrement: boolean;
  /** ON UPDATE CURRENT_TIMESTAMP: an UPDATE that changes the row sets it without assigning it. */
  updatesItself: boolean;
  /** The text's character set; undefined for binary strings and non-text types. */
  charset: string | undefined;
  /** The text's collation, as the catalog names it; undefined where charset is. */
  collation: string | undefined;
  /** Fractional-second digits of TIME, DATETIME and TIMESTAMP; 0 otherwise. */
  fractionDigits: number;
}

export interface RollbackTable {
  schema: string;
  table: string;
  /** Every column in table order, as the binlog's row images hold them; generated ones are read but never written. */
  columns: RollbackColumn[];
  /** The primary key, else a unique key over NOT NULL columns; empty when the table has neither. */
  key: string[];
}

export async function readRollbackTable(session: MySqlSession, schema: string, table: string): Promise<RollbackTable> {
  const columns = (await session.queryRows(ROLLBACK_COLUMNS, [schema, table])).map((row) => ({
    name: String(row.name),
    dataType: String(row.dataType).toLowerCase(),
    columnType: String(row.columnType),
    nullable: Number(row.nullable) === 1,
    generated: Number(row.generated) === 1,
    autoIncrement: Number(row.autoIncrement) === 1,
    updatesItself: Number(row.updatesItself) === 1,
    charset: row.charset === null || row.charset === "binary" ? undefined : String(row.charset).toLowerCase(),
    collation: row.charset === null || row.charset === "binary" ? undefined : String(row.collation),
    fractionDigits: Number(row.fractionDigits ?? 0),
  }));
  const byName = new Map(columns.map((column) => [column.name, column]));
  const indexes = new Map<string, Array<{ column: string; prefix: boolean }>>();
  for (const row of await session.queryRows(ROLLBACK_KEYS, [schema, table])) {
    const name = String(row.indexName);
    indexes.set(name, [...(indexes.get(name) ?? []), { column: String(row.columnName), prefix: row.subPart !== null }]);
  }
  const usable = [...indexes.values()].find((parts) =>
    parts.every((part) => !part.prefix && byName.get(part.column)?.nullable === false && !byName.get(part.column)?.generated),
  );
  return { schema, table, columns, key: usable?.map((part) => part.column) ?? [] };
}
