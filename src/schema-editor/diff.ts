// What differs between the live table and the draft, in the terms both engines' DDL is written from.
import { sameDefault } from "./defaults.ts";
import type { ColumnPlacement, ColumnSpec, DraftColumn, IndexSpec, TableDraft, TableSchema } from "./model.ts";

export interface ColumnChange {
  from: ColumnSpec;
  to: DraftColumn;
  renamed: boolean;
  typeChanged: boolean;
  nullableChanged: boolean;
  defaultChanged: boolean;
  commentChanged: boolean;
}

export interface TableDiff {
  droppedIndexes: IndexSpec[];
  droppedColumns: ColumnSpec[];
  changedColumns: ColumnChange[];
  addedColumns: DraftColumn[];
  /** Where an added column goes, by its name, when it is not after every live column (MySQL's FIRST / AFTER). */
  placements: Map<string, ColumnPlacement>;
  addedIndexes: IndexSpec[];
  /** Set when the primary key changes: the old columns (empty if none) and the new. */
  primaryKey?: { from: string[]; to: string[] };
}

export function diffTable(base: TableSchema, draft: TableDraft): TableDiff {
  const kept = new Set(draft.columns.flatMap((column) => (column.original === undefined ? [] : [column.original])));
  const changedColumns = draft.columns.flatMap((to): ColumnChange[] => {
    const from = to.original === undefined ? undefined : base.columns.find((column) => column.name === to.original);
    if (!from) return [];
    const change = {
      from,
      to,
      renamed: from.name !== to.name,
      typeChanged: from.type !== to.type,
      nullableChanged: from.nullable !== to.nullable,
      defaultChanged: !sameDefault(from.default, to.default),
      commentChanged: from.comment !== to.comment,
    };
    return change.renamed || change.typeChanged || change.nullableChanged || change.defaultChanged || change.commentChanged ? [change] : [];
  });
  const sameIndex = (a: IndexSpec, b: IndexSpec) => a.name === b.name && a.unique === b.unique && a.columns.join("\0") === b.columns.join("\0");
  // An index whose columns were only renamed is the same index: the server renames its columns itself.
  const renamedTo = (name: string) => draft.columns.find((column) => column.original === name)?.name ?? name;
  const baseIndexes = base.indexes.map((index) => ({ index, renamed: { ...index, columns: index.columns.map(renamedTo) } }));
  const primaryFrom = base.primaryKey.map(renamedTo);
  const primaryChanged = primaryFrom.join("\0") !== draft.primaryKey.join("\0");
  return {
    droppedIndexes: baseIndexes.filter(({ renamed }) => !draft.indexes.some((index) => sameIndex(index, renamed))).map(({ index }) => index),
    droppedColumns: base.columns.filter((column) => !kept.has(column.name)),
    changedColumns,
    addedColumns: draft.columns.filter((column) => column.original === undefined),
    placements: placementsOf(draft),
    addedIndexes: draft.indexes.filter((index) => !baseIndexes.some(({ renamed }) => sameIndex(index, renamed))),
    ...(primaryChanged ? { primaryKey: { from: base.primaryKey, to: draft.primaryKey } } : {}),
  };
}

export function isEmptyDiff(diff: TableDiff): boolean {
  return (
    diff.droppedIndexes.length + diff.droppedColumns.length + diff.changedColumns.length + diff.addedColumns.length + diff.addedIndexes.length === 0 &&
    !diff.primaryKey
  );
}

/** An added column followed by a live one was placed by the form: it goes FIRST or AFTER its predecessor (by its new name). */
function placementsOf(draft: TableDraft): Map<string, ColumnPlacement> {
  const placements = new Map<string, ColumnPlacement>();
  draft.columns.forEach((column, index) => {
    if (column.original !== undefined || draft.columns.slice(index + 1).every((later) => later.original === undefined)) return;
    placements.set(column.name, index === 0 ? { first: true } : { after: draft.columns[index - 1]!.name });
  });
  return placements;
}
