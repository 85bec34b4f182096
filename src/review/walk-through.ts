// The walk-through catalog: the schema a change leads to, seeded from the live database and changed by each
// statement in order, so rules see what a table looks like before and after a statement and at the end of the change.
import type { EngineName } from "../engines/engine.ts";
import {
  addedConstraint,
  alterActions,
  asArray,
  columnName,
  constraintType,
  createTableColumns,
  createTableConstraints,
  dataType,
  EMPTY,
  functionName,
  isCreateIndex,
  isCreateTable,
  isUnsigned,
  joinLists,
  tableKey,
  tableName,
  targetTable,
} from "./ast.ts";
import type { CatalogColumn, ReviewCatalog } from "./catalog.ts";
import type { AstNode } from "./parse.ts";

export interface WalkColumn {
  name: string;
  /** Upper-cased type name without length or attributes, e.g. `VARCHAR`, `BIGINT`, `TIMESTAMP`. */
  type: string;
  length?: number;
  unsigned: boolean;
  nullable: boolean;
  hasDefault: boolean;
  defaultCurrentTime: boolean;
  onUpdateCurrentTime: boolean;
  autoIncrement: boolean;
  comment?: string;
  charset?: string;
  collation?: string;
  /** Ordinal of the statement of this change that defined the column; undefined for a column of the live schema. */
  definedAt?: number;
}

export type IndexKind = "primary" | "unique" | "index" | "fulltext" | "spatial";

export interface WalkIndex {
  name: string;
  kind: IndexKind;
  /** Lower-cased key parts; an expression part is `expr()`. */
  columns: string[];
  /** USING BTREE/HASH..., upper-cased, when stated. */
  method?: string;
}

export interface WalkTable {
  name: string;
  columns: WalkColumn[];
  indexes: WalkIndex[];
  comment?: string;
  /** The table's default character set and collation as its CREATE TABLE states them, lower-cased. */
  charset?: string;
  collation?: string;
  partitioned: boolean;
  /** PostgreSQL `PARTITION OF`: the partition takes its keys from its parent. */
  partitionOf?: string;
  /** Ordinal of the statement of this change that created the table; undefined for a table of the live schema. */
  createdAt?: number;
  /** False when the table's columns could not be known (CREATE TABLE ... AS SELECT, LIKE an unknown table). */
  complete: boolean;
}

/** A table as it was after one statement of the change; `state` is undefined once it is dropped or renamed away. */
export interface TableStep {
  ordinal: number;
  state: WalkTable | undefined;
}

const CURRENT_TIME = /^(current_timestamp|now|localtime|localtimestamp)$/i;

function isCurrentTime(value: AstNode | undefined): boolean {
  if (!value) return false;
  if (value.type === "function") return CURRENT_TIME.test(functionName(value));
  return CURRENT_TIME.test(String(value.value ?? ""));
}

function literalText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "object") {
    const node = value as AstNode;
    if (node.type === "null") return undefined;
    return literalText(node.value);
  }
  return String(value).replace(/^'|'$/g, "");
}

/** `ON UPDATE CURRENT_TIMESTAMP` as the grammar gives it after a `DEFAULT` (among the reference actions). */
function updatesToCurrentTime(actions: AstNode[] | AstNode | undefined): boolean {
  if (!actions) return false;
  if (!Array.isArray(actions)) return actions.type === "on update" && isCurrentTime(actions.value);
  for (let i = 0; i < actions.length; i++) if (actions[i]!.type === "on update" && isCurrentTime(actions[i]!.value)) return true;
  return false;
}

/** The column a CREATE TABLE definition or an ALTER TABLE ADD/MODIFY/CHANGE clause describes. */
export function walkColumn(definition: AstNode, ordinal: number | undefined): WalkColumn {
  const defaultValue = definition.default_val?.value as AstNode | undefined;
  const onUpdate = defaultValue?.over?.type === "on update" || updatesToCurrentTime(definition.reference_definition?.on_action);
  const length = Number(definition.definition?.length);
  return {
    name: columnName(definition.column),
    type: dataType(definition.definition),
    length: Number.isFinite(length) ? length : undefined,
    unsigned: isUnsigned(definition.definition),
    nullable: definition.nullable?.type !== "not null" && !definition.primary_key && definition.unique !== "primary key",
    hasDefault: Boolean(definition.default_val) && defaultValue?.type !== "null",
    defaultCurrentTime: isCurrentTime(defaultValue),
    onUpdateCurrentTime: onUpdate,
    autoIncrement: Boolean(definition.auto_increment),
    comment: literalText(definition.comment?.value),
    charset: definition.character_set?.value?.value ? String(definition.character_set.value.value).toLowerCase() : undefined,
    collation: collationName(definition.collate),
    definedAt: ordinal,
  };
}

export function collationName(collate: AstNode | undefined): string | undefined {
  const name = collate?.collate?.name;
  if (!name) return undefined;
  return String(typeof name === "object" ? name.value : name);
}

/** Key parts of an index definition, lower-cased; expressions become `name()`. */
export function indexParts(definition: unknown): string[] {
  return asArray(definition as AstNode[]).map((part) => {
    // MySQL's `col(10)` prefix length reads as a call with one number.
    const args = asArray(part.args?.value as AstNode[]);
    if (part.type === "function" && args.length === 1 && args[0]!.type === "number") return functionName(part);
    if (part.type === "function") return `${functionName(part)}()`;
    if (part.type === "column_ref" || part.column !== undefined) return columnName(part).toLowerCase();
    return "expr()";
  });
}

function indexKind(definition: AstNode): IndexKind | undefined {
  const type = `${constraintType(definition)} ${String(definition.keyword ?? "")} ${String(definition.index_type ?? "")}`.toLowerCase();
  if (type.includes("foreign") || type.includes("check")) return undefined;
  if (type.includes("primary")) return "primary";
  if (type.includes("unique")) return "unique";
  if (type.includes("fulltext")) return "fulltext";
  if (type.includes("spatial")) return "spatial";
  return "index";
}

function indexMethod(definition: AstNode): string | undefined {
  const using = definition.index_type?.type ?? asArray(definition.index_options as AstNode[]).find((option) => option.keyword === "using")?.type ?? definition.index_using;
  return using ? String(using).toUpperCase() : undefined;
}

/** The index an index or constraint definition creates, or undefined for foreign keys and checks. */
export function walkIndex(definition: AstNode, table: string, existing: readonly WalkIndex[]): WalkIndex | undefined {
  const kind = indexKind(definition);
  if (!kind) return undefined;
  const columns = indexParts(definition.definition);
  const named = definition.index ?? definition.constraint;
  const name = named ? String(named) : kind === "primary" ? "PRIMARY" : generatedIndexName(table, columns, existing);
  return { name, kind, columns, method: indexMethod(definition) };
}

/** The name the server gives an unnamed index: MySQL uses the first column, PostgreSQL `table_col_idx`; unique enough here. */
function generatedIndexName(table: string, columns: string[], existing: readonly WalkIndex[]): string {
  const base = columns[0] ?? `${table}_idx`;
  let name = base;
  for (let n = 2; existing.some((index) => index.name.toLowerCase() === name.toLowerCase()); n++) name = `${base}_${n}`;
  return name;
}

/** Parses the server's spelling of a column type (`varchar(255)`, `int(10) unsigned`) into a WalkColumn. */
function liveColumn(column: CatalogColumn): WalkColumn {
  const type = column.type.toLowerCase();
  const base = /^[a-z ]+?(?=\(|\s+unsigned|\s+zerofill|$)/.exec(type)?.[0]?.trim() ?? type;
  const length = /\((\d+)/.exec(type)?.[1];
  return {
    name: column.name,
    type: base.toUpperCase(),
    length: length ? Number(length) : undefined,
    unsigned: /\bunsigned\b/.test(type),
    nullable: column.nullable,
    hasDefault: false,
    defaultCurrentTime: false,
    onUpdateCurrentTime: false,
    autoIncrement: false,
    charset: column.charset,
    collation: column.collation,
  };
}

/**
 * Tables, columns and indexes are never changed in place: a statement changes a copy of its table (its column and index
 * arrays shared until the statement changes one: see WalkThrough.columnsOf), so each earlier state stays as it was
 * without a deep copy.
 */
const copyTable = (table: WalkTable): WalkTable => ({
  name: table.name,
  columns: table.columns,
  indexes: table.indexes,
  comment: table.comment,
  charset: table.charset,
  collation: table.collation,
  partitioned: table.partitioned,
  partitionOf: table.partitionOf,
  createdAt: table.createdAt,
  complete: table.complete,
}) satisfies Required<Record<keyof WalkTable, unknown>>;

/**
 * A table with nothing known of it yet but what is given. Every table is made here or by copyTable, with every field in
 * one order: tables of as many shapes as the fields a statement had set made the rules' reads of them megamorphic.
 */
function newTable(name: string, columns: WalkColumn[], indexes: WalkIndex[], complete: boolean, createdAt?: number): WalkTable {
  return {
    name,
    columns,
    indexes,
    comment: undefined,
    charset: undefined,
    collation: undefined,
    partitioned: false,
    partitionOf: undefined,
    createdAt,
    complete,
  };
}

/**
 * A copy of a column, to change a field of. Written out field by field (the type makes sure none is left out): a spread
 * with a field after it (`{ ...column, comment }`) missed V8's inline cache on every call and went into the runtime,
 * 468 times a pass of the PostgreSQL corpus (COMMENT ON COLUMN), logged with `--log-ic`.
 */
const copyColumn = (column: WalkColumn): WalkColumn =>
  ({
    name: column.name,
    type: column.type,
    length: column.length,
    unsigned: column.unsigned,
    nullable: column.nullable,
    hasDefault: column.hasDefault,
    defaultCurrentTime: column.defaultCurrentTime,
    onUpdateCurrentTime: column.onUpdateCurrentTime,
    autoIncrement: column.autoIncrement,
    comment: column.comment,
    charset: column.charset,
    collation: column.collation,
    definedAt: column.definedAt,
  }) satisfies Record<keyof WalkColumn, unknown>;

/** An index with other key parts or another name, written out as copyColumn is (a DROP COLUMN's spread missed 722 times a pass). */
const changedIndex = (index: WalkIndex, name: string, columns: string[]): WalkIndex =>
  ({ name, kind: index.kind, columns, method: index.method }) satisfies Record<keyof WalkIndex, unknown>;

export class WalkThrough {
  private readonly tables = new Map<string, WalkTable>();
  /** Tables the live database was asked about, found or not. */
  private readonly seeded = new Set<string>();
  /** Each table's state at the step last reported for it: what its index names were noted from. */
  private readonly reported = new Map<string, WalkTable | undefined>();
  /** Index name (lower-cased) → keys of the tables that had an index of that name after some statement. */
  private readonly indexOwners = new Map<string, string | string[]>();

  /** The view of a statement that changes no table (most of them): one for the whole walk. */
  private unchanged?: SchemaView;

  /**
   * Copies of indexes a statement kept but had to copy: `renamed`, when it renamed the index or one of its columns;
   * `retyped`, when it gave one of its columns another type. Neither is an index the statement added
   * (SchemaView.addedIndexes), so the rules that judge added indexes do not report it again; a retyped one is judged
   * again by the rules that read its columns' types.
   */
  private readonly copies = new Map<WalkIndex, "renamed" | "retyped">();

  /** Column and index arrays made while applying the current statement: no earlier state holds them, so they change in place. */
  private readonly fresh = new Set<unknown[]>();

  constructor(
    private readonly engine: EngineName,
    private readonly catalog?: ReviewCatalog,
    /** Told each table's state after every statement that touched it, and the live state a table was seeded with (ordinal -1). */
    private readonly onStep?: (key: string, step: TableStep) => void,
  ) {}

  /** The table's columns, to change in place: copied first unless the current statement made the array. */
  private columnsOf(table: WalkTable): WalkColumn[] {
    if (!this.fresh.has(table.columns)) this.fresh.add((table.columns = [...table.columns]));
    return table.columns;
  }

  /** The table's indexes, to change in place: copied first unless the current statement made the array. */
  private indexesOf(table: WalkTable): WalkIndex[] {
    if (!this.fresh.has(table.indexes)) this.fresh.add((table.indexes = [...table.indexes]));
    return table.indexes;
  }

  /** The table as the change has left it so far, or undefined when it does not exist or is unknown. */
  table(name: string): WalkTable | undefined {
    return this.tables.get(tableKey(name));
  }

  /** Why a statement copied an index it kept (see `copies`), or undefined for an index as it was made. */
  copyOf(index: WalkIndex): "renamed" | "retyped" | undefined {
    return this.copies.get(index);
  }

  /** The index of that name, on whichever table holds it. */
  findIndex(name: string): { table: string; index: WalkIndex } | undefined {
    const lower = name.toLowerCase();
    for (const table of this.tablesWithIndex(lower)) {
      const index = table.indexes.find((candidate) => candidate.name.toLowerCase() === lower);
      if (index) return { table: table.name, index };
    }
    return undefined;
  }

  /** Tables that have, or once had, an index of that (lower-cased) name: where a name is looked for without a table. */
  private tablesWithIndex(name: string): WalkTable[] {
    return this.ownersOf(name).flatMap((key) => this.tables.get(key) ?? []);
  }

  /** Keys of the tables that have, or once had, an index of that (lower-cased) name. */
  private ownersOf(name: string): readonly string[] {
    const owners = this.indexOwners.get(name);
    return owners === undefined ? EMPTY : typeof owners === "string" ? [owners] : owners;
  }

  /**
   * Notes the names of a table's indexes, so an index can be found by name without reading every table. Those of the
   * table's previous state under the same key were noted when it was recorded.
   */
  private noteIndexes(key: string, previous?: WalkTable): void {
    const indexes = this.tables.get(key)?.indexes ?? [];
    const before = previous?.indexes;
    if (indexes === before) return;
    for (let i = 0; i < indexes.length; i++) {
      const index = indexes[i]!;
      if (hadIndex(before, index, i)) continue;
      const name = index.name.toLowerCase();
      // Most names belong to one table: its key alone, rather than a set, is kept for the whole change.
      const owners = this.indexOwners.get(name);
      if (owners === undefined) this.indexOwners.set(name, key);
      else if (typeof owners === "string") {
        if (owners !== key) this.indexOwners.set(name, [owners, key]);
      } else if (!owners.includes(key)) owners.push(key);
    }
  }

  /** Loads the tables a statement reads or changes from the live database, once each. */
  async seed(node: AstNode): Promise<void> {
    if (!this.catalog) return;
    for (const name of referencedTables(node)) {
      const key = tableKey(name);
      if (this.seeded.has(key) || this.tables.has(key)) continue;
      this.seeded.add(key);
      const columns = await this.catalog.columnsOf(name);
      if (columns.length === 0) continue;
      const table = newTable(key, columns.map(liveColumn), await this.catalog.indexesOf(name), true);
      this.tables.set(key, table);
      this.noteIndexes(key);
      // The live state comes first in the table's history, so end-of-change rules can tell what the change broke.
      this.reported.set(key, table);
      this.onStep?.(key, { ordinal: -1, state: table });
    }
  }

  private apply(node: AstNode, ordinal: number): string[] {
    const touched = this.change(node, ordinal);
    for (const key of touched) {
      this.noteIndexes(key, this.reported.get(key));
      const state = this.tables.get(key);
      this.reported.set(key, state);
      this.onStep?.(key, { ordinal, state });
    }
    return touched;
  }

  /** Applies a statement and returns the view its rules read: its table before it, every table after it. */
  step(node: AstNode, ordinal: number): SchemaView {
    if (!changesSchema(node)) return (this.unchanged ??= new SchemaView(this, undefined, undefined));
    const target = targetTable(node);
    const table = target ? this.table(target) : undefined;
    this.apply(node, ordinal);
    return new SchemaView(this, target, table);
  }

  private change(node: AstNode, ordinal: number): string[] {
    // Clearing a Set makes it a new table even when it is empty: most statements made no array.
    if (this.fresh.size > 0) this.fresh.clear();
    if (isCreateTable(node)) return this.createTable(node, ordinal);
    if (isCreateIndex(node) && targetTable(node)) {
      const table = this.tableOrPlaceholder(targetTable(node));
      const index = walkIndex(
        { index: node.index, definition: node.index_columns, keyword: String(node.index_type ?? "index"), index_type: node.index_using ? { type: node.index_using } : undefined, index_options: node.index_options },
        table.name,
        table.indexes,
      );
      if (index) this.indexesOf(table).push(index);
      return [tableKey(table.name)];
    }
    if (node.type === "alter" && node.keyword !== "view" && targetTable(node)) return this.alterTable(node, ordinal);
    if (node.type === "drop" && node.keyword === "table") {
      const keys = asArray(node.name as AstNode[]).map((name) => tableKey(tableName(name)));
      for (const key of keys) this.tables.delete(key);
      return keys;
    }
    if (node.type === "drop" && node.keyword === "index") return this.dropIndex(node);
    if (node.type === "rename") {
      return asArray(node.table as AstNode[][]).flatMap((pair) => this.renameTable(tableName(pair[0]), String(pair[1]?.table ?? "")));
    }
    if (node.type === "comment") return this.comment(node);
    if (node.type === "alter_index" && node.rename) return this.renameIndex(undefined, String(node.index), String(node.rename));
    return [];
  }

  /**
   * A table the walk knows nothing of (no catalog, or the server does not have it) still collects what the change
   * does to it, so rules see the columns and indexes the change adds; it is incomplete, so nothing is judged missing.
   */
  private tableOrPlaceholder(name: string): WalkTable {
    const key = tableKey(name);
    const table = this.writable(key) ?? newTable(key, [], [], false);
    this.tables.set(key, table);
    return table;
  }

  /** The table this statement changes: a copy, so the state before the statement stays as it was. */
  private writable(key: string): WalkTable | undefined {
    const table = this.tables.get(key);
    if (!table) return undefined;
    const copy = copyTable(table);
    this.tables.set(key, copy);
    return copy;
  }

  private createTable(node: AstNode, ordinal: number): string[] {
    const name = targetTable(node);
    const key = tableKey(name);
    const like = node.like ? this.table(tableName(asArray(node.like.table as AstNode[])[0] ?? node.like)) : undefined;
    if (node.if_not_exists && this.tables.has(key)) return [];
    let table: WalkTable;
    if (like) {
      table = copyTable(like);
      table.name = key;
      table.createdAt = ordinal;
      table.comment = undefined;
    } else {
      table = newTable(key, [], [], !node.like && !node.query_expr, ordinal);
    }
    // Columns first (their inline keys become indexes), then the table's constraints, as the server builds them. Both
    // lists are read once per statement, for the rules too.
    const columns = createTableColumns(node);
    for (let i = 0; i < columns.length; i++) this.addColumn(table, columns[i]!.node, ordinal);
    const constraints = createTableConstraints(node);
    for (let i = 0; i < constraints.length; i++) {
      const index = walkIndex(constraints[i]!, key, table.indexes);
      if (index) this.indexesOf(table).push(index);
    }
    for (const option of asArray(node.table_options as AstNode[])) {
      const keyword = String(option.keyword).toLowerCase();
      if (keyword === "comment") table.comment = literalText(option.value);
      if (keyword === "partition by") table.partitioned = true;
      if (/^(default )?(charset|character set)$/.test(keyword)) table.charset = literalText(option.value)?.toLowerCase();
      if (/^(default )?collate$/.test(keyword)) table.collation = literalText(option.value)?.toLowerCase();
    }
    if (node.partition_of) table.partitionOf = tableName(node.partition_of.table);
    this.tables.set(key, table);
    return [key];
  }

  /** A column definition with its inline PRIMARY KEY / UNIQUE, which become indexes. */
  private addColumn(table: WalkTable, definition: AstNode, ordinal: number, position?: AstNode): void {
    const column = walkColumn(definition, ordinal);
    const at = position ? this.position(table, position) : table.columns.length;
    this.columnsOf(table).splice(at, 0, column);
    const key = column.name.toLowerCase();
    if (definition.primary_key || definition.unique === "primary key") {
      table.indexes = table.indexes.filter((index) => index.kind !== "primary");
      this.indexesOf(table).push({ name: "PRIMARY", kind: "primary", columns: [key] });
    } else if (definition.unique) {
      this.indexesOf(table).push({ name: generatedIndexName(table.name, [key], table.indexes), kind: "unique", columns: [key] });
    }
  }

  private position(table: WalkTable, suffix: AstNode): number {
    const keyword = String(suffix.keyword ?? "").toUpperCase();
    if (keyword === "FIRST") return 0;
    if (keyword === "AFTER") {
      const after = columnName(suffix.expr ?? suffix.column).toLowerCase();
      const index = table.columns.findIndex((column) => column.name.toLowerCase() === after);
      return index < 0 ? table.columns.length : index + 1;
    }
    return table.columns.length;
  }

  private alterTable(node: AstNode, ordinal: number): string[] {
    const key = tableKey(targetTable(node));
    const table = this.tableOrPlaceholder(key);
    let renamedTo: string | undefined;
    for (const action of alterActions(node)) {
      const constraint = addedConstraint(action);
      if (constraint) {
        const index = walkIndex(constraint, table.name, table.indexes);
        if (index?.kind === "primary") table.indexes = table.indexes.filter((existing) => existing.kind !== "primary");
        if (index) this.indexesOf(table).push(index);
        continue;
      }
      if (action.resource === "column") this.alterColumn(table, action, ordinal);
      else if (action.action === "drop") this.dropKey(table, action);
      else if (action.action === "rename" && action.resource === "table") renamedTo = String(action.table);
      else if (action.action === "rename" && action.resource === "index") this.renameIndex(table, String(action.old_index ?? action.index), String(action.new_index ?? action.rename));
      else if (action.resource === "comment") table.comment = literalText(action.comment);
      else if (action.resource === "partition" && action.action === "partition by") table.partitioned = true;
    }
    if (renamedTo) return this.renameTable(key, renamedTo);
    return [key];
  }

  private alterColumn(table: WalkTable, action: AstNode, ordinal: number): void {
    const name = columnName(action.column);
    switch (action.action) {
      case "add":
        if (action.definition) this.addColumn(table, action, ordinal, action.suffix);
        return;
      case "drop": {
        const dropped = name.toLowerCase();
        table.columns = table.columns.filter((column) => column.name.toLowerCase() !== dropped);
        // A dropped column leaves every index it was part of; an index with no part left is gone. The other indexes stay
        // the same objects: a new copy of each would count as an index the statement added (addedIndexes), and rules
        // such as index.duplicate reported the table's indexes again on every DROP COLUMN.
        const narrowed = this.changeIndexesHolding(table, dropped, (index) => changedIndex(index, index.name, index.columns.filter((part) => part !== dropped)));
        if (narrowed) table.indexes = table.indexes.filter((index) => index.columns.length > 0);
        return;
      }
      case "modify":
      case "change": {
        const old = action.action === "change" ? columnName(action.old_column) : name;
        const at = columnIndex(table, old);
        const before = at >= 0 ? table.columns[at] : undefined;
        if (at >= 0) this.columnsOf(table).splice(at, 1);
        this.renameInIndexes(table, old, name);
        const previous = at >= 0 ? at : table.columns.length;
        const column = walkColumn(action, ordinal);
        if (before && typeChanged(before, column)) this.retypeInIndexes(table, name);
        const position = action.suffix?.keyword ? this.position(table, action.suffix) : previous;
        this.columnsOf(table).splice(position, 0, column);
        if (action.primary_key) {
          table.indexes = table.indexes.filter((index) => index.kind !== "primary");
          this.indexesOf(table).push({ name: "PRIMARY", kind: "primary", columns: [name.toLowerCase()] });
        } else if (action.unique) {
          this.indexesOf(table).push({ name: generatedIndexName(table.name, [name.toLowerCase()], table.indexes), kind: "unique", columns: [name.toLowerCase()] });
        }
        return;
      }
      case "rename": {
        const old = columnName(action.old_column);
        const at = columnIndex(table, old);
        if (at >= 0) {
          const renamed = copyColumn(table.columns[at]!);
          renamed.name = name;
          this.columnsOf(table)[at] = renamed;
        }
        this.renameInIndexes(table, old, name);
        return;
      }
      case "alter": {
        const at = columnIndex(table, name);
        if (at < 0) return;
        const column = copyColumn(table.columns[at]!);
        this.columnsOf(table)[at] = column;
        if (action.definition) {
          // Only the type (its length, sign and collation) is read from the clause, so it is read as it is. (A copy of it
          // with one more field made V8 a new object shape for each such ALTER, 192 a pass of the PostgreSQL corpus,
          // logged with `--log-maps`.)
          const changed = walkColumn(action, ordinal);
          if (typeChanged(column, changed)) this.retypeInIndexes(table, name);
          column.type = changed.type;
          column.length = changed.length;
          column.unsigned = changed.unsigned;
          if (changed.collation) column.collation = changed.collation;
        }
        if (action.nullable?.action === "set") column.nullable = false;
        if (action.nullable?.action === "drop") column.nullable = true;
        if (action.default_change === "set" || action.default_val) column.hasDefault = true;
        if (action.default_change === "drop") column.hasDefault = false;
        return;
      }
    }
  }

  /**
   * The indexes holding a column whose type a statement changed, copied so that the rules judging an index by its columns'
   * types (the primary key's, BLOB/TEXT) see them again (SchemaView.addedIndexes' `retyped`), and noted so that the rest do not
   * take them for indexes the statement added.
   */
  private retypeInIndexes(table: WalkTable, column: string): void {
    this.changeIndexesHolding(table, column.toLowerCase(), (index) => this.noted(changedIndex(index, index.name, index.columns), "retyped"));
  }

  private renameInIndexes(table: WalkTable, from: string, to: string): void {
    const old = from.toLowerCase();
    const renamed = to.toLowerCase();
    if (old === renamed) return;
    this.changeIndexesHolding(table, old, (index) => this.noted(changedIndex(index, index.name, index.columns.map((part) => (part === old ? renamed : part))), "renamed"));
  }

  /**
   * Puts `change(index)` in place of each index of the table that holds `column` (lower case); false, and the index array
   * left as it was, when none does.
   */
  private changeIndexesHolding(table: WalkTable, column: string, change: (index: WalkIndex) => WalkIndex): boolean {
    if (!table.indexes.some((index) => index.columns.includes(column))) return false;
    table.indexes = table.indexes.map((index) => (index.columns.includes(column) ? change(index) : index));
    return true;
  }

  /** Notes why a statement copied an index it kept (see `copies`). */
  private noted(copy: WalkIndex, why: "renamed" | "retyped"): WalkIndex {
    this.copies.set(copy, why);
    return copy;
  }

  /** ALTER TABLE ... DROP PRIMARY KEY / INDEX / KEY / CONSTRAINT. */
  private dropKey(table: WalkTable, action: AstNode): void {
    const keyword = String(action.keyword ?? "").toLowerCase();
    if (keyword === "primary key") {
      table.indexes = table.indexes.filter((index) => index.kind !== "primary");
      return;
    }
    const name = String(action.index ?? action.key ?? action.constraint ?? "").toLowerCase();
    if (!name) return;
    // An unnamed primary key is `PRIMARY` in MySQL and `<table>_pkey` in PostgreSQL.
    const primaryAlias = this.engine === "mysql" ? "primary" : `${table.name}_pkey`;
    table.indexes = table.indexes.filter((index) => index.name.toLowerCase() !== name && !(index.kind === "primary" && name === primaryAlias));
  }

  private dropIndex(node: AstNode): string[] {
    const names = asArray(node.name as AstNode[]).map((name) => columnName(name) || String(name?.table ?? name)).map((name) => name.toLowerCase());
    const onTable = node.table
      ? [tableKey(tableName(asArray(node.table as AstNode[])[0] ?? node.table))]
      : [...new Set(names.flatMap((name) => this.ownersOf(name)))];
    const touched: string[] = [];
    for (const key of onTable) {
      if (!this.tables.get(key)?.indexes.some((index) => names.includes(index.name.toLowerCase()))) continue;
      const table = this.writable(key)!;
      table.indexes = table.indexes.filter((index) => !names.includes(index.name.toLowerCase()));
      touched.push(key);
    }
    return touched;
  }

  private renameIndex(table: WalkTable | undefined, from: string, to: string): string[] {
    for (const candidate of table ? [table] : this.tablesWithIndex(from.toLowerCase())) {
      const at = candidate.indexes.findIndex((existing) => existing.name.toLowerCase() === from.toLowerCase());
      if (at < 0) continue;
      const key = tableKey(candidate.name);
      const changed = table ?? this.writable(key)!;
      const index = changed.indexes[at]!;
      this.indexesOf(changed)[at] = this.noted(changedIndex(index, to, index.columns), "renamed");
      return [key];
    }
    return [];
  }

  private renameTable(from: string, to: string): string[] {
    const oldKey = tableKey(from);
    const table = this.tables.get(oldKey);
    if (!table || !to) return [oldKey];
    const newKey = tableKey(to);
    this.tables.delete(oldKey);
    const renamed = copyTable(table);
    renamed.name = newKey;
    this.tables.set(newKey, renamed);
    return [oldKey, newKey];
  }

  /** PostgreSQL COMMENT ON TABLE / COLUMN: a NULL or empty comment removes it. */
  private comment(node: AstNode): string[] {
    const target = node.target as AstNode | undefined;
    const text = literalText(node.expr?.expr);
    const value = text === undefined || text === "" ? undefined : text;
    if (target?.type === "table") {
      const table = this.writable(tableKey(tableName(target.name)));
      if (!table) return [];
      table.comment = value;
      return [tableKey(table.name)];
    }
    if (target?.type === "column") {
      const key = tableKey(String(target.name?.table ?? ""));
      const at = this.tables.get(key)?.columns.findIndex((candidate) => candidate.name.toLowerCase() === columnName(target.name).toLowerCase()) ?? -1;
      if (at < 0) return [];
      const table = this.writable(key)!;
      const commented = copyColumn(table.columns[at]!);
      commented.comment = value;
      this.columnsOf(table)[at] = commented;
      return [key];
    }
    return [];
  }
}

/** Whether a column has another type than it had: another type name, or another length. */
export const typeChanged = (before: WalkColumn, after: WalkColumn): boolean => before.type !== after.type || before.length !== after.length;

/** Where the column of that name (any case) is in the table, or -1. */
function columnIndex(table: WalkTable, name: string): number {
  const lower = name.toLowerCase();
  return table.columns.findIndex((column) => column.name.toLowerCase() === lower);
}

const SCHEMA_STATEMENTS = new Set(["alter", "drop", "rename", "comment", "alter_index"]);
const changesSchema = (node: AstNode): boolean => SCHEMA_STATEMENTS.has(node.type) || isCreateTable(node) || isCreateIndex(node);

/** The walk-through catalog around one statement, as its rules read it. */
export class SchemaView {
  constructor(
    private readonly walk: WalkThrough,
    private readonly target: string | undefined,
    private readonly previous: WalkTable | undefined,
  ) {}

  /** The table as it was before the statement. */
  before(table: string): WalkTable | undefined {
    return this.target !== undefined && tableKey(table) === tableKey(this.target) ? this.previous : this.walk.table(table);
  }

  /** The table as the statement left it. */
  after(table: string): WalkTable | undefined {
    return this.walk.table(table);
  }

  /** The index of that name after the statement, with its table. */
  findIndex(name: string): { table: string; index: WalkIndex } | undefined {
    return this.walk.findIndex(name);
  }

  private added?: AddedIndexes | null;

  /**
   * The statement's table after it, with the indexes the statement added and those it copied because it gave one of their
   * columns another type (MODIFY, CHANGE, ALTER COLUMN ... TYPE); read by several rules, computed once.
   */
  addedIndexes(): AddedIndexes | undefined {
    if (this.added === undefined) {
      const table = this.target ? this.walk.table(this.target) : undefined;
      if (table && table.indexes === this.previous?.indexes) {
        // The statement left the table's index array as it was (it is copied before any change): nothing added.
        this.added = { table, indexes: EMPTY, retyped: EMPTY };
      } else if (table) {
        const before = this.previous?.indexes;
        // A list is made only when something goes in it; otherwise the shared empty one, as a rule that finds nothing returns.
        let added: WalkIndex[] | undefined;
        let retyped: WalkIndex[] | undefined;
        for (let i = 0; i < table.indexes.length; i++) {
          const index = table.indexes[i]!;
          if (hadIndex(before, index, i)) continue;
          const copy = this.walk.copyOf(index);
          if (copy === undefined) (added ??= []).push(index);
          else if (copy === "retyped") (retyped ??= []).push(index);
        }
        this.added = { table, indexes: added ?? EMPTY, retyped: retyped ?? EMPTY };
      } else {
        this.added = null;
      }
    }
    return this.added ?? undefined;
  }
}

/** A table after a statement, with the indexes the statement added and those it retyped (SchemaView.addedIndexes). */
export interface AddedIndexes {
  table: WalkTable;
  indexes: readonly WalkIndex[];
  retyped: readonly WalkIndex[];
}

/**
 * Whether a table had `index` (found at `at` in its indexes now) among `before`, its indexes before a statement. Indexes
 * are never changed in place, so one the table had is the same object after the statement, and mostly at the same place
 * (indexes are appended). A table has few indexes: a linear search, after that check, costs less than a set.
 */
function hadIndex(before: readonly WalkIndex[] | undefined, index: WalkIndex, at: number): boolean {
  return before !== undefined && (before[at] === index || before.includes(index));
}

/** Tables a statement reads or changes, whose live definitions the walk needs before applying it. */
function referencedTables(node: AstNode): string[] {
  if (isCreateTable(node)) return node.like ? [tableName(asArray(node.like.table as AstNode[])[0] ?? node.like)] : [];
  if (isCreateIndex(node) || node.type === "alter") return [targetTable(node)].filter(Boolean);
  if (["insert", "replace", "update", "delete", "select"].includes(node.type)) {
    const written = node.type === "select" ? [] : asArray((node.type === "delete" && node.from ? node.from : node.table) as AstNode[]);
    // The tables it joins too, whose columns the join rule compares.
    const joined = joinLists(node).flat().filter((item) => item.table);
    return [...new Set([...written, ...joined].map(tableName).filter(Boolean))];
  }
  if (node.type === "comment" && node.target?.type === "column") return [String(node.target.name?.table ?? "")].filter(Boolean);
  if (node.type === "comment" && node.target?.type === "table") return [tableName(node.target.name)];
  return [];
}
