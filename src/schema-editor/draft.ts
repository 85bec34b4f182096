// Turns form input into edits, replays edits over the live table, and checks the table the form describes.
import { checkColumnType, typeFamily } from "./column-types.ts";
import { formatDefault, parseDefault, sameDefault, withoutNullDefault } from "./defaults.ts";
import { SchemaEditError, type FieldProblem } from "./errors.ts";
import { identifierProblem, sameColumnName } from "./identifiers.ts";
import type { ColumnPlacement, ColumnSpec, DraftColumn, IndexSpec, SchemaDialect, SchemaEdit, TableDraft, TableSchema } from "./model.ts";

/** The column form's fields as typed. */
export interface ColumnForm {
  name: string;
  type: string;
  nullable: boolean;
  default: string;
  comment: string;
  identity: boolean;
  /** Where a new column goes (MySQL): "" or absent for last, "first", or "after:<column>". */
  position?: string;
}

export interface IndexForm {
  name: string;
  columns: string[];
  unique: boolean;
}

const MAX_COMMENT = 1024;

/** Starts a draft from the live table, or an empty one for a new table. */
export function draftOf(base: TableSchema | undefined, name: string): TableDraft {
  return {
    name: base?.name ?? name,
    columns: (base?.columns ?? []).map((column) => ({ ...column, original: column.name })),
    indexes: (base?.indexes ?? []).map((index) => ({ ...index, columns: [...index.columns] })),
    primaryKey: [...(base?.primaryKey ?? [])],
  };
}

function findColumn(dialect: SchemaDialect, draft: TableDraft, name: string): DraftColumn | undefined {
  return draft.columns.find((column) => sameColumnName(dialect, column.name, name));
}

/** Reads the column form into a column edit, or throws SchemaEditError naming each bad field. */
export function columnEditFromForm(dialect: SchemaDialect, draft: TableDraft, form: ColumnForm, from?: string): SchemaEdit {
  const existing = from === undefined ? undefined : findColumn(dialect, draft, from);
  if (from !== undefined && !existing) throw new SchemaEditError([{ field: "name", message: `Column "${from}" is no longer in the table; close this form and start again.` }]);
  const problems: FieldProblem[] = [];
  const nameProblem = identifierProblem(dialect, form.name, "Column name");
  if (nameProblem) problems.push({ field: "name", message: nameProblem });
  else if (draft.columns.some((column) => column !== existing && sameColumnName(dialect, column.name, form.name))) {
    problems.push({ field: "name", message: `The table already has a column "${form.name}"; choose another name.` });
  }

  let type = form.type.trim();
  if (!(existing && type === existing.type)) {
    const checked = checkColumnType(dialect, type);
    if (checked.ok) type = checked.type;
    else problems.push({ field: "type", message: checked.message });
  }
  const family = typeFamily(dialect, type);

  let defaultValue = existing?.default ?? { kind: "none" as const };
  if (!(existing && form.default === formatDefault(existing.default))) {
    const checked = parseDefault(form.default, family);
    if (checked.ok) defaultValue = checked.value;
    else problems.push({ field: "default", message: checked.message });
  }
  if (!form.nullable && defaultValue.kind === "null") problems.push({ field: "default", message: "A NOT NULL column cannot default to NULL: allow NULL, or give another default." });
  defaultValue = withoutNullDefault(defaultValue);

  const isLiveColumn = existing?.original !== undefined;
  const identity = isLiveColumn ? existing!.identity : form.identity;
  if (!isLiveColumn && identity) {
    if (family !== "integer") problems.push({ field: "identity", message: "Only an integer column can be auto-increment." });
    if (defaultValue.kind !== "none") problems.push({ field: "default", message: "An auto-increment column takes no default." });
    if (form.nullable) problems.push({ field: "nullable", message: "An auto-increment column cannot allow NULL." });
  }
  if (existing?.attributes?.generated && defaultValue.kind !== "none") problems.push({ field: "default", message: "A generated column takes no default: its value comes from its expression." });
  const placement = placementFromForm(dialect, draft, form.position, existing !== undefined);
  if (typeof placement === "string") problems.push({ field: "position", message: placement });
  if (form.comment.includes("\0")) problems.push({ field: "comment", message: "The comment cannot contain a NUL character." });
  if ([...form.comment].length > MAX_COMMENT) problems.push({ field: "comment", message: `The comment is longer than ${MAX_COMMENT} characters.` });
  if (problems.length > 0) throw new SchemaEditError(problems);

  const column: ColumnSpec = { name: form.name, type, nullable: form.nullable, default: defaultValue, comment: form.comment, identity };
  if (from !== undefined) return { op: "column", from, column };
  return placement && typeof placement !== "string" ? { op: "column", column, placement } : { op: "column", column };
}

/** The position field of the add-column form; a message when it names no column of the draft. */
function placementFromForm(dialect: SchemaDialect, draft: TableDraft, position: string | undefined, existing: boolean): ColumnPlacement | string | undefined {
  if (!position || existing || !dialect.columnPlacement) return undefined;
  if (position === "first") return { first: true };
  const after = position.startsWith("after:") ? position.slice("after:".length) : undefined;
  const column = after === undefined ? undefined : findColumn(dialect, draft, after);
  return column ? { after: column.name } : `The table has no column "${after ?? position}" to put the new column after.`;
}

export function indexEditFromForm(dialect: SchemaDialect, draft: TableDraft, form: IndexForm): SchemaEdit {
  const problems: FieldProblem[] = [];
  const nameProblem = identifierProblem(dialect, form.name, "Index name");
  if (nameProblem) problems.push({ field: "name", message: nameProblem });
  else if (draft.indexes.some((index) => index.name.toLowerCase() === form.name.toLowerCase()) || /^primary$/i.test(form.name)) {
    problems.push({ field: "name", message: `The table already has an index "${form.name}"; choose another name.` });
  }
  if (form.columns.length === 0) problems.push({ field: "columns", message: "Pick at least one column." });
  const missing = form.columns.filter((name) => !findColumn(dialect, draft, name));
  if (missing.length > 0) problems.push({ field: "columns", message: `No column ${missing.map((name) => `"${name}"`).join(", ")} in the table.` });
  if (problems.length > 0) throw new SchemaEditError(problems);
  return { op: "add-index", index: { name: form.name, columns: form.columns, unique: form.unique } };
}

/**
 * Replays edits over the live table. Edits arrive back from Slack, so a column edit is checked again: its type must
 * be one the editor writes or the column's live type, and an expression default only the live column's own.
 */
export function applyEdits(dialect: SchemaDialect, base: TableSchema | undefined, tableName: string, edits: readonly SchemaEdit[]): TableDraft {
  const draft = draftOf(base, tableName);
  for (const edit of edits) {
    switch (edit.op) {
      case "column": {
        const live = edit.from === undefined ? undefined : findColumn(dialect, draft, edit.from);
        if (edit.from !== undefined && !live) throw staleEdit(`column "${edit.from}"`);
        const original = live?.original === undefined ? undefined : base?.columns.find((column) => column.name === live.original);
        assertEditorWritten(dialect, edit.column, original);
        // What the form does not edit is the live column's, whatever an edit coming back from Slack says.
        const { attributes: _ignored, ...fields } = edit.column;
        if (live) {
          renameEverywhere(draft, live.name, edit.column.name);
          Object.assign(live, fields, { identity: live.original === undefined ? edit.column.identity : live.identity });
        } else {
          draft.columns.splice(insertionIndex(dialect, draft, edit.placement), 0, fields);
        }
        break;
      }
      case "drop-column": {
        const live = findColumn(dialect, draft, edit.name);
        if (!live) throw staleEdit(`column "${edit.name}"`);
        draft.columns = draft.columns.filter((column) => column !== live);
        // The servers drop a primary key or index whose column goes; the draft says so, so the preview does too.
        if (draft.primaryKey.includes(live.name)) draft.primaryKey = [];
        draft.indexes = draft.indexes.filter((index) => !index.columns.includes(live.name));
        break;
      }
      case "add-index":
        draft.indexes.push({ name: edit.index.name, columns: [...edit.index.columns], unique: edit.index.unique });
        break;
      case "drop-index":
        if (!draft.indexes.some((index) => index.name === edit.name)) throw staleEdit(`index "${edit.name}"`);
        draft.indexes = draft.indexes.filter((index) => index.name !== edit.name);
        break;
      case "primary-key":
        draft.primaryKey = [...edit.columns];
        break;
    }
  }
  return draft;
}

function insertionIndex(dialect: SchemaDialect, draft: TableDraft, placement: ColumnPlacement | undefined): number {
  if (!placement || !dialect.columnPlacement) return draft.columns.length;
  if ("first" in placement) return 0;
  const after = findColumn(dialect, draft, placement.after);
  if (!after) throw staleEdit(`column "${placement.after}"`);
  return draft.columns.indexOf(after) + 1;
}

function staleEdit(what: string): SchemaEditError {
  return new SchemaEditError([{ field: "table", message: `The pending edits refer to ${what}, which the table no longer has; start the edit again with /db schema.` }]);
}

function assertEditorWritten(dialect: SchemaDialect, column: ColumnSpec, original: ColumnSpec | undefined): void {
  const typeOk = (original && column.type === original.type) || (checkColumnType(dialect, column.type) as { type?: string }).type === column.type;
  const defaultOk = column.default.kind !== "expression" || (original !== undefined && sameDefault(column.default, original.default));
  if (!typeOk || !defaultOk || identifierProblem(dialect, column.name, "Column name")) {
    throw new SchemaEditError([{ field: "table", message: `The pending edit of column "${column.name}" is not one this form wrote; start again with /db schema.` }]);
  }
}

function renameEverywhere(draft: TableDraft, from: string, to: string): void {
  if (from === to) return;
  draft.primaryKey = draft.primaryKey.map((name) => (name === from ? to : name));
  for (const index of draft.indexes) index.columns = index.columns.map((name) => (name === from ? to : name));
}

/** Everything that keeps the described table from being submitted, each on its field. */
export function draftProblems(dialect: SchemaDialect, base: TableSchema | undefined, draft: TableDraft): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!base) {
    const nameProblem = identifierProblem(dialect, draft.name, "Table name");
    if (nameProblem) problems.push({ field: "table", message: nameProblem });
  }
  if (draft.columns.length === 0) problems.push({ field: "columns", message: "A table needs at least one column: add one." });
  const seen = new Set<string>();
  for (const column of draft.columns) {
    const key = dialect.caseInsensitiveColumns ? column.name.toLowerCase() : column.name;
    if (seen.has(key)) problems.push({ field: "columns", message: `Column "${column.name}" appears twice; rename one.` });
    seen.add(key);
  }
  if (base && base.primaryKey.length > 0 && draft.primaryKey.length === 0) {
    problems.push({ field: "primary_key", message: "This drops the primary key without a replacement: choose the new primary key columns, or keep the old key's columns." });
  }
  const unknown = (names: string[]) => names.filter((name) => !draft.columns.some((column) => column.name === name));
  const pkMissing = unknown(draft.primaryKey);
  if (pkMissing.length > 0) problems.push({ field: "primary_key", message: `The primary key names missing column(s) ${pkMissing.join(", ")}.` });
  for (const name of draft.primaryKey) {
    if (draft.columns.find((column) => column.name === name)?.nullable) problems.push({ field: "primary_key", message: `Primary key column "${name}" allows NULL; make it NOT NULL.` });
  }
  for (const index of draft.indexes) {
    const missing = unknown(index.columns);
    if (missing.length > 0 && !index.columns.every((name) => name.startsWith("("))) problems.push({ field: "index", message: `Index "${index.name}" names missing column(s) ${missing.join(", ")}.` });
  }
  for (const column of draft.columns.filter((candidate) => candidate.identity && !candidate.original)) {
    const keyed = draft.primaryKey[0] === column.name || draft.indexes.some((index) => index.columns[0] === column.name);
    if (dialect.engine === "mysql" && !keyed) problems.push({ field: "primary_key", message: `Auto-increment column "${column.name}" must be the first column of the primary key or of an index.` });
  }
  return problems;
}
