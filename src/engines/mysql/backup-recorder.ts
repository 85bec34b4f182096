// Records a MySQL/MariaDB data change for rollback without the binlog ("prior backup"): just before each UPDATE/DELETE,
// in the same transaction, the rows its own WHERE selects are copied (locked FOR UPDATE) into the change's backup table
// for that target, in Sluice's own database on the instance (a DELETE's whole rows, an UPDATE's key and the columns it
// changes); INSERTs' new rows are found again by their key, or returned where the server can. Inverses are written as
// it goes, from literals the server writes (backup-catalog.ts).
//
// Why the copy is the statement's rows: the change's transaction runs at REPEATABLE READ, where a locking read (the
// copy's FOR UPDATE) and the UPDATE/DELETE both read the latest committed rows, and the copy's next-key locks keep
// other sessions from changing or adding a row the WHERE selects until COMMIT. What a lock cannot pin (an ORDER BY …
// LIMIT with ties at the limit, a WHERE whose value moves) is checked, and the count of rows the statement changed
// must equal the count copied; otherwise the change runs without rollback and says why.
import { backupComment, backupName, overRowLimit, priorBackupRollback } from "../../rollback/backup-tables.ts";
import { runPlannedStep, runPlannedSteps, type PlannedStep, type StepRunner } from "../../rollback/planned-steps.ts";
import { RollbackScriptBuilder } from "../../rollback/script.ts";
import type { DataChangeRecorder, PreparedRollback, RecordingOptions } from "../../rollback/types.ts";
import type { BatchOutcome, StatementOutcome } from "../engine.ts";
import { BACKUP_STATEMENT_COLUMN, createBackupTableSql, literalSql, readTargetFacts, sameValueSql, type TargetFacts } from "./backup-catalog.ts";
import { assignedColumns, nondeterminism, readDataStatement, type NamedTable, type RowChangeStatement } from "./backup-statement.ts";
import { quoteIdentifier } from "./quote.ts";
import { readRollbackTable, type RollbackTable } from "./rollback-catalog.ts";
import { RowInverses } from "./rollback-inverse.ts";
import { atLeast } from "./server.ts";
import type { MySqlSession, PipelinedAnswer, PipelinedStatement } from "./session.ts";

export interface PriorBackupOptions extends RecordingOptions {
  /** Sluice's own database on the instance, where backup tables go (rollback.mysqlBackupDatabase). */
  backupDatabase: string;
}

/** MySQL's longest table name. */
const MAX_NAME_LENGTH = 64;
const STATEMENT_COLUMN = quoteIdentifier(BACKUP_STATEMENT_COLUMN);
/** Inverses are joined into one text per this many rows, so a statement of many rows holds few strings. */
const ROWS_PER_BATCH = 1000;
const TEMPORAL = new Set(["date", "datetime", "timestamp"]);
/** The session's sql_mode without the checks that refuse a zero date: a copy keeps the rows as they are. */
const LENIENT_SQL_MODE = `TRIM(BOTH ',' FROM ${["NO_ZERO_DATE", "NO_ZERO_IN_DATE", "STRICT_TRANS_TABLES", "STRICT_ALL_TABLES"].reduce(
  (mode, name) => `REPLACE(${mode}, ',${name},', ',')`,
  "CONCAT(',', @@SESSION.sql_mode, ',')",
)})`;

/**
 * Called before BEGIN, with the change's statements: the backup table of each table they UPDATE or DELETE from is
 * created now, as DDL would commit the change's transaction and a table created after its snapshot cannot be read
 * in it; and the transaction is to run at REPEATABLE READ (see the file's comment).
 */
export async function startPriorBackupRecording(session: MySqlSession, options: PriorBackupOptions, statements: AsyncIterable<string>): Promise<DataChangeRecorder> {
  const [row] = await session.queryRows("SELECT @@SESSION.sql_mode AS mode");
  const recorder = new PriorBackupRecorder(session, options, /NO_ZERO/.test(String(row?.mode)));
  await recorder.createBackupTables(statements);
  await session.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  return recorder;
}

/**
 * Why a prior backup of these statements would be refused, read as the recorder reads them before BEGIN (their text
 * and their tables' catalog; nothing is created): the reason, or undefined when they can be backed up.
 */
export async function priorBackupRefusal(session: MySqlSession, options: PriorBackupOptions, statements: Iterable<string>): Promise<string | undefined> {
  const read = await new PriorBackupRecorder(session, options, false).readTargets(statements);
  return "refusal" in read ? read.refusal : undefined;
}

/** A table a statement changes, read from the catalog once per change (a data change holds no DDL). */
interface Target {
  table: RollbackTable;
  facts: TargetFacts;
  /** `db`.`table` */
  name: string;
  inverses: RowInverses;
  /** Written columns' literal SQL for a row under an alias (or unqualified). */
  literals: (alias: string | undefined) => string;
  /**
   * An UPDATE's row: every written column's literal as it was before, the columns at `changing` under `before` and
   * the others under `after` (they hold what they held); then for each column at `changing` its literal under
   * `after`, or '' where it holds what it held before.
   */
  updateLiterals: (before: string, after: string, changing: readonly number[]) => string;
  /**
   * What a backup of a statement's rows copies: a DELETE's whole rows; an UPDATE's key and the written columns at
   * `changing`, the only ones it changes (the others' values are read from the row itself after it).
   */
  copiedColumns: (kind: "update" | "delete", changing: readonly number[]) => string[];
  /** The written columns an UPDATE that assigns `assigned` (lower case) may change: those and ON UPDATE ones. */
  changing: (assigned: ReadonlySet<string>) => number[];
  written: number;
  temporal: boolean;
  /** Why no row change of this table can be backed up; undefined when it can. */
  refusal: string | undefined;
}

/** The change's backup table for one target, shared by all its UPDATEs and DELETEs. */
interface Backup {
  name: string;
  /** Rows it holds once the change commits. */
  rows: number;
}

type Step = PlannedStep<PipelinedStatement, PipelinedAnswer>;

type ReadStatement =
  | { kind: "other" }
  | { kind: "refused"; refusal: string }
  | { kind: "insert"; target: Target }
  | { kind: "rowChange"; statement: RowChangeStatement; target: Target; assigned: ReadonlySet<string> };

class PriorBackupRecorder implements DataChangeRecorder {
  private readonly builder = new RollbackScriptBuilder();
  private readonly targets = new Map<string, Promise<Target | undefined>>();
  /** By target, in the order they were created. */
  private readonly backups = new Map<string, Backup>();
  private refusal: string | undefined;
  private readonly steps: StepRunner<PipelinedStatement, PipelinedAnswer> = {
    plan: (sql, ordinal) => this.plan(sql, ordinal),
    pipeline: (statements) => this.session.pipeline(statements),
    refuse: (reason, sql) => this.refuse(reason, sql),
  };

  constructor(
    private readonly session: MySqlSession,
    private readonly options: PriorBackupOptions,
    /** Whether the session's sql_mode may refuse a zero date, so a copy of one needs a lenient mode. */
    private zeroDateChecks: boolean,
  ) {}

  execute(sql: string, ordinal: number): Promise<StatementOutcome> {
    return runPlannedStep(this.steps, sql, ordinal);
  }

  executeBatch(statements: ReadonlyArray<{ sql: string; ordinal: number }>): Promise<BatchOutcome> {
    return runPlannedSteps(this.steps, statements);
  }

  private async plan(sql: string, ordinal: number): Promise<Step | { refusal: string }> {
    const read = this.refusal ? ({ kind: "other" } as const) : await this.readStatement(sql, ordinal);
    if (read.kind === "other") {
      // A SET may change the sql_mode: copies made after it are made leniently whatever it says.
      if (/^\s*SET\b/i.test(sql)) this.zeroDateChecks = true;
      return { statements: [{ sql }], keep: plainOutcome };
    }
    if (read.kind === "refused") return { refusal: read.refusal };
    if (read.kind === "insert") return this.insertStep(sql, ordinal, read.target);
    return this.rowChangeStep(read.statement, read.target, read.target.changing(read.assigned), sql, ordinal);
  }

  /**
   * What a statement is to the backup, from its text and its table's catalog alone: rowless, an INSERT or an
   * UPDATE/DELETE it can back up, or refused with the reason. What only running it can tell (ties at a LIMIT, the
   * counts) is checked as it runs.
   */
  private async readStatement(sql: string, ordinal: number): Promise<ReadStatement> {
    const statement = readDataStatement(sql);
    if (statement.kind === "other") return statement;
    if (statement.kind === "refused") return { kind: "refused", refusal: `statement ${ordinal} cannot be backed up: ${statement.reason}` };
    const target = await this.targetOf(statement.target);
    if (!target) return { kind: "refused", refusal: `statement ${ordinal} does not target a table (${describe(statement.target)})` };
    if (statement.kind === "insert") {
      const refusal = this.insertRefusal(target, ordinal);
      return refusal ? { kind: "refused", refusal } : { kind: "insert", target };
    }
    const assigned = statement.kind === "update" ? assignedColumns(statement.setText) : [];
    if (!assigned) return { kind: "refused", refusal: `statement ${ordinal} cannot be backed up: an assignment of its SET clause does not read as column = value` };
    const assignedNames = new Set(assigned.map((column) => column.toLowerCase()));
    const refusal = rowChangeRefusal(statement, target, assignedNames, ordinal);
    return refusal ? { kind: "refused", refusal } : { kind: "rowChange", statement, target, assigned: assignedNames };
  }

  /** Where an INSERT's new rows are read from (see insertStep): returned by the INSERT, or found again by the key. */
  private insertReturns(target: Target): boolean {
    const { table } = target;
    const returning = this.session.server.flavor === "mariadb" && atLeast(this.session.server, 10, 5);
    const growing = table.key.length > 0 && table.key.every((name) => table.columns.find((column) => column.name === name)?.autoIncrement);
    return returning && !growing;
  }

  private insertRefusal(target: Target, ordinal: number): string | undefined {
    if (target.facts.triggers.some((trigger) => trigger.event === "INSERT")) return triggerRefusal(target, "INSERT", ordinal);
    if (target.refusal) return `statement ${ordinal} cannot be backed up: ${target.refusal}`;
    if (!this.insertReturns(target) && target.table.key.length === 0) {
      return `statement ${ordinal} inserts into ${target.name}, which has no primary key or unique NOT NULL key to find its new rows by`;
    }
    return undefined;
  }

  /**
   * An INSERT's new rows: returned by the INSERT itself where the server can (MariaDB) and the key is not one that
   * grows by itself, else found again above the table's largest key as this transaction saw it just before (its
   * consistent read shows no other session's rows committed since, and an AUTO_INCREMENT key only grows).
   */
  private insertStep(sql: string, ordinal: number, target: Target): Step {
    const { table } = target;
    const room = this.room();
    const rows = new InverseRows(target, "insert");
    if (this.insertReturns(target)) {
      const statement = { sql: `${sql}\nRETURNING ${target.literals(undefined)}`, onRow: (row: unknown[]) => rows.add(row) };
      // The statement answers with its rows instead of a count: the rows it returned are the rows it inserted.
      return { statements: [statement], keep: ([answer]) => this.keepInserted(answer!.rows, { ...answer!, affectedRows: answer!.rows }, rows, ordinal) };
    }
    const key = table.key.map(quoteIdentifier);
    const variables = key.map((_, i) => `@sluice$key${i}`);
    const statements: PipelinedStatement[] = [
      { sql: `SET ${variables.map((variable) => `${variable} = NULL`).join(", ")}` },
      { sql: `SELECT ${key.join(", ")} INTO ${variables.join(", ")} FROM ${target.name} ORDER BY ${key.map((k) => `${k} DESC`).join(", ")} LIMIT 1` },
      { sql },
      {
        sql: `SELECT ${target.literals("t")} FROM ${target.name} t WHERE ${variables[0]} IS NULL OR (${key.map((k) => `t.${k}`).join(", ")}) > (${variables.join(", ")}) LIMIT ${room}`,
        onRow: (row) => rows.add(row),
      },
    ];
    return { statements, keep: ([, , insert, found]) => this.keepInserted(found!.rows, insert!, rows, ordinal) };
  }

  private keepInserted(found: number, insert: PipelinedAnswer, rows: InverseRows, ordinal: number): StatementOutcome {
    const outcome = { rowsAffected: insert.affectedRows, durationMs: insert.durationMs };
    if (this.refusal) return outcome;
    if (this.builder.rowCount + found > this.options.rowLimit) {
      this.refusal = this.overLimit(this.builder.rowCount + found);
    } else if (found !== insert.affectedRows) {
      this.refusal = `statement ${ordinal} inserted ${insert.affectedRows} rows but ${found} were found again above the table's largest key (new keys below it cannot be told from older rows)`;
    } else {
      rows.addTo(this.builder);
    }
    return outcome;
  }

  /**
   * What an UPDATE or DELETE sends, in one packet with the statements around it: the copy of the rows its own WHERE
   * selects, locked; for an ORDER BY … LIMIT, whether ties at the limit leave the rows open; the statement; and the
   * literals its inverses need (an UPDATE's rows after, matched by key, and before where they changed).
   */
  private rowChangeStep(statement: RowChangeStatement, target: Target, changing: number[], sql: string, ordinal: number): Step | { refusal: string } {
    const backup = this.backups.get(target.name);
    if (!backup) return { refusal: `statement ${ordinal}: no backup table was prepared for ${target.name}` };
    const { table } = target;
    const key = table.key.map(quoteIdentifier);
    const copied = target.copiedColumns(statement.kind, changing);
    const columns = [STATEMENT_COLUMN, ...copied].join(", ");
    // Line breaks keep a line comment at the end of the user's text from swallowing what follows it.
    const where = statement.whereText ? `\nWHERE ${statement.whereText}` : "";
    // Keyless, the copy takes one row more than the LIMIT: when it finds no more rows than the LIMIT, the statement
    // changes them all; one more, and which it changes is open.
    const keylessLimit = key.length === 0 && statement.limitText !== undefined ? Number(statement.limitText) : undefined;
    const order = (direction: string): string =>
      statement.limitText === undefined
        ? ""
        : keylessLimit !== undefined
          ? `\nLIMIT ${keylessLimit + 1}`
          : `\nORDER BY ${statement.orderText ? `${statement.orderText}, ` : ""}${key.map((k) => `${k} ${direction}`).join(", ")}\nLIMIT ${statement.limitText}`;
    const lenient = this.zeroDateChecks && target.temporal;
    const rows = new InverseRows(target, statement.kind, changing);
    const statements: PipelinedStatement[] = [
      ...(lenient ? [{ sql: `SET @sluice$sql_mode = @@SESSION.sql_mode, SESSION sql_mode = ${LENIENT_SQL_MODE}` }] : []),
      {
        sql: `INSERT INTO ${backup.name} (${columns})\nSELECT ${ordinal}, ${copied.join(", ")} FROM ${statement.tableText}${where}${order("ASC")}\nFOR UPDATE`,
      },
      ...(lenient ? [{ sql: "SET SESSION sql_mode = @sluice$sql_mode" }] : []),
    ];
    const copyAt = lenient ? 1 : 0;
    // The same rows with ties at the limit broken the other way: any row that differs is one the statement may or
    // may not change. Copied under the other sign of the ordinal, compared, then removed.
    let tiesAt: number | undefined;
    let tied = false;
    if (statement.limitText !== undefined && keylessLimit === undefined) {
      const keyMatch = key.map((k) => `c.${k} = d.${k}`).join(" AND ");
      statements.push(
        { sql: `INSERT INTO ${backup.name} (${STATEMENT_COLUMN}, ${key.join(", ")})\nSELECT ${-ordinal}, ${key.join(", ")} FROM ${statement.tableText}${where}${order("DESC")}\nFOR UPDATE` },
        {
          sql: `SELECT COUNT(*) FROM ${backup.name} d WHERE d.${STATEMENT_COLUMN} = ${-ordinal} AND NOT EXISTS (SELECT 1 FROM ${backup.name} c WHERE c.${STATEMENT_COLUMN} = ${ordinal} AND ${keyMatch})`,
          onRow: (row) => void (tied = Number(row[0]) > 0),
        },
        { sql: `DELETE FROM ${backup.name} WHERE ${STATEMENT_COLUMN} = ${-ordinal}` },
      );
      tiesAt = statements.length - 2;
    }
    const changeAt = statements.push({ sql }) - 1;
    const room = this.room();
    statements.push({
      sql:
        statement.kind === "delete"
          ? `SELECT ${target.literals("b")} FROM ${backup.name} b WHERE b.${STATEMENT_COLUMN} = ${ordinal} LIMIT ${room}`
          : `SELECT ${target.updateLiterals("b", "t", changing)} FROM ${backup.name} b JOIN ${target.name} t ON ${key.map((k) => `t.${k} = b.${k}`).join(" AND ")} WHERE b.${STATEMENT_COLUMN} = ${ordinal} LIMIT ${room}`,
      onRow: (row) => rows.add(row),
    });
    const keep = async (answers: PipelinedAnswer[]): Promise<StatementOutcome> => {
      const copied = answers[copyAt]!.affectedRows;
      const change = answers[changeAt]!;
      const found = answers[answers.length - 1]!.rows;
      const outcome = { rowsAffected: change.affectedRows, durationMs: change.durationMs };
      if (this.refusal) return outcome;
      let refusal: string | undefined;
      if (keylessLimit !== undefined && copied > keylessLimit) {
        refusal = `statement ${ordinal}: its WHERE selects more rows of ${target.name} than its LIMIT, and without a key which of them it changes cannot be told up front`;
      } else if (tiesAt !== undefined && tied) {
        refusal = `statement ${ordinal}: its ORDER BY … LIMIT leaves rows that tie at the limit, so which of them it changes cannot be told up front; order by the key too (${table.key.join(", ")})`;
      } else if (this.builder.rowCount + copied > this.options.rowLimit) {
        refusal = this.overLimit(this.builder.rowCount + copied);
      } else if (change.affectedRows !== copied) {
        refusal = `statement ${ordinal} changed ${change.affectedRows} rows but its WHERE selected ${copied} just before`;
      } else if (found !== copied) {
        refusal = `statement ${ordinal}: ${copied - found} of the rows it changed could not be found again by their key`;
      }
      if (refusal) {
        this.refusal = refusal;
        await this.session.execute(`DELETE FROM ${backup.name} WHERE ${STATEMENT_COLUMN} = ${ordinal}`);
        return outcome;
      }
      backup.rows += copied;
      rows.addTo(this.builder);
      return outcome;
    };
    return { statements, keep };
  }

  /** Rows a read-back may return: past the row limit the rollback is refused, so no more literals are read than that. */
  private room(): number {
    return Math.max(0, this.options.rowLimit - this.builder.rowCount) + 1;
  }

  /**
   * Before BEGIN: one backup table for each table the statements UPDATE or DELETE from (see startPriorBackupRecording).
   * A statement that cannot be backed up is found now, before any runs: the change then runs without rollback, says
   * why, and no table is made.
   */
  async createBackupTables(statements: AsyncIterable<string>): Promise<void> {
    const database = quoteIdentifier(this.options.backupDatabase);
    const read = await this.readTargets(statements);
    if ("refusal" in read) {
      this.refusal = read.refusal;
      return;
    }
    for (const target of read.targets) {
      const created = new Date();
      if (this.backups.size === 0) await this.session.execute(`CREATE DATABASE IF NOT EXISTS ${database} CHARACTER SET utf8mb4`);
      const name = `${database}.${quoteIdentifier(backupName(this.options.changeKey, this.backups.size + 1, target.table.table, created, MAX_NAME_LENGTH))}`;
      const comment = backupComment(`${target.table.schema}.${target.table.table}`, this.options.changeKey, created);
      try {
        await this.session.execute(createBackupTableSql(name, target.table, comment, true));
      } catch {
        // The key's columns with the statement's may pass the longest index InnoDB allows: the statement's alone then.
        await this.session.execute(createBackupTableSql(name, target.table, comment, false));
      }
      this.backups.set(target.name, { name, rows: 0 });
    }
  }

  /** The tables the statements UPDATE or DELETE from, read from the catalog; or why the first it cannot back up is refused. */
  async readTargets(statements: AsyncIterable<string> | Iterable<string>): Promise<{ targets: Target[] } | { refusal: string }> {
    const targets = new Map<string, Target>();
    let ordinal = 0;
    for await (const sql of statements) {
      const read = await this.readStatement(sql, ++ordinal);
      if (read.kind === "refused") return { refusal: read.refusal };
      if (read.kind === "rowChange") targets.set(read.target.name, read.target);
    }
    return { targets: [...targets.values()] };
  }

  private targetOf(named: NamedTable): Promise<Target | undefined> {
    const schema = named.schema ?? this.session.database ?? "";
    const id = `${schema}.${named.table}`;
    let target = this.targets.get(id);
    if (!target) {
      target = this.readTarget(schema, named.table);
      this.targets.set(id, target);
    }
    return target;
  }

  private async readTarget(schema: string, name: string): Promise<Target | undefined> {
    const facts = await readTargetFacts(this.session, schema, name);
    if (facts.kind !== "BASE TABLE") return undefined;
    const table = await readRollbackTable(this.session, schema, name);
    const written = table.columns.filter((column) => !column.generated);
    const unwritable = written.find((column) => literalSql(column, "x") === undefined);
    const quoted = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
    return {
      table,
      facts,
      name: quoted,
      inverses: new RowInverses(table),
      literals: (alias) => written.map((column) => literalSql(column, `${alias ? `${alias}.` : ""}${quoteIdentifier(column.name)}`)!).join(", "),
      updateLiterals: (before, after, changing) =>
        [
          ...written.map((column, i) => literalSql(column, `${changing.includes(i) ? before : after}.${quoteIdentifier(column.name)}`)!),
          ...changing.map((i) => {
            const [b, a] = [before, after].map((alias) => `${alias}.${quoteIdentifier(written[i]!.name)}`);
            const same = sameValueSql(written[i]!, b!, a!);
            return same === undefined ? literalSql(written[i]!, a!)! : `IF(${same}, '', ${literalSql(written[i]!, a!)})`;
          }),
        ].join(", "),
      copiedColumns: (kind, changing) =>
        kind === "delete"
          ? table.columns.map((column) => quoteIdentifier(column.name))
          : [...table.key, ...changing.map((i) => written[i]!.name).filter((name) => !table.key.includes(name))].map((name) => quoteIdentifier(name)),
      changing: (assigned) => written.flatMap((column, i) => (column.updatesItself || assigned.has(column.name.toLowerCase()) ? [i] : [])),
      written: written.length,
      temporal: table.columns.some((column) => TEMPORAL.has(column.dataType)),
      refusal: unwritable
        ? `column ${unwritable.name} of ${quoted} has the type ${unwritable.columnType}, which a backup cannot write back exactly`
        : table.columns.some((column) => column.name.toLowerCase() === BACKUP_STATEMENT_COLUMN)
          ? `${quoted} has a column named ${STATEMENT_COLUMN}, the backup tables' own statement column`
          : undefined,
    };
  }

  /**
   * After COMMIT: the rollback, and the backup tables that hold rows (one that holds none, as when an UPDATE matched
   * nothing, is dropped). A change that fails leaves its tables empty, for the retention of backups to drop.
   */
  async finish(): Promise<PreparedRollback> {
    for (const backup of this.backups.values()) {
      if (backup.rows === 0) await this.session.execute(`DROP TABLE IF EXISTS ${backup.name}`).catch(() => undefined);
    }
    const backupTables = [...this.backups.values()].filter((backup) => backup.rows > 0).map((backup) => backup.name);
    return priorBackupRollback(this.builder, this.options.changeKey, this.refusal, backupTables);
  }

  private async refuse(reason: string, sql: string): Promise<StatementOutcome> {
    this.refusal ??= reason;
    return this.session.execute(sql);
  }

  private overLimit(rows: number): string {
    return overRowLimit(this.options.rowLimit, rows);
  }
}

/**
 * The inverses of one statement's rows as the server sends their literals (an UPDATE's row: before, then after where
 * it may differ), joined ROWS_PER_BATCH at a time, latest first within each, added to the script once the statement's
 * rows check out.
 */
class InverseRows {
  private readonly batches: Array<{ text: string; statements: number; rows: number }> = [];
  private pending: string[] = [];
  private pendingRows = 0;
  private readonly parts: string[] = [];
  private readonly before: string[];
  private readonly after: string[];

  constructor(
    private readonly target: Target,
    private readonly kind: "insert" | "update" | "delete",
    /** An UPDATE's written columns whose value after is read (target.updateLiterals); the others hold what they held. */
    private readonly changing: readonly number[] = [],
  ) {
    this.before = new Array<string>(target.written);
    this.after = new Array<string>(target.written);
  }

  add(row: unknown[]): void {
    const width = this.target.written;
    const { parts, before, after, target } = this;
    let n: number;
    if (this.kind === "insert") {
      for (let i = 0; i < width; i++) after[i] = text(row[i]);
      n = target.inverses.undoInsert(parts, 0, after);
    } else if (this.kind === "delete") {
      for (let i = 0; i < width; i++) before[i] = text(row[i]);
      n = target.inverses.undoDelete(parts, 0, before);
    } else {
      for (let i = 0; i < width; i++) after[i] = before[i] = text(row[i]);
      const { changing } = this;
      for (let j = 0; j < changing.length; j++) {
        const now = text(row[width + j]);
        if (now !== "") after[changing[j]!] = now;
      }
      n = target.inverses.undoUpdate(parts, 0, before, after);
    }
    this.pendingRows += 1;
    if (n > 0) this.pending.push(parts.slice(0, n).join(""));
    if (this.pendingRows === ROWS_PER_BATCH) this.flush();
  }

  addTo(builder: RollbackScriptBuilder): void {
    this.flush();
    for (const batch of this.batches) builder.addGuardedBatch(batch.text, batch.statements, batch.rows);
    this.batches.length = 0;
  }

  private flush(): void {
    if (this.pendingRows === 0) return;
    this.batches.push({ text: this.pending.reverse().join(""), statements: this.pending.length, rows: this.pendingRows });
    this.pending = [];
    this.pendingRows = 0;
  }
}

/** A literal as the server sent it: text, or bytes of text where the expression's result was a binary string. */
function text(value: unknown): string {
  return typeof value === "string" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

function plainOutcome([answer]: PipelinedAnswer[]): StatementOutcome {
  return { rowsAffected: answer!.affectedRows, durationMs: answer!.durationMs };
}

function describe(table: NamedTable): string {
  return table.schema ? `${table.schema}.${table.table}` : table.table;
}

/** Why an UPDATE or DELETE cannot be backed up, or undefined when it can. */
function rowChangeRefusal(statement: RowChangeStatement, target: Target, assigned: ReadonlySet<string>, ordinal: number): string | undefined {
  const { table, facts, name } = target;
  const event = statement.kind === "update" ? "UPDATE" : "DELETE";
  if (target.refusal) return `statement ${ordinal} cannot be backed up: ${target.refusal}`;
  if (table.key.length === 0 && statement.kind === "update") {
    return `statement ${ordinal} updates ${name}, which has no primary key or unique NOT NULL key to find its rows again`;
  }
  if (table.key.length === 0 && statement.limitText !== undefined && (statement.orderText !== undefined || !/^\d+$/.test(statement.limitText))) {
    return `statement ${ordinal} has an ORDER BY … LIMIT on ${name}, which has no key: which rows it changes cannot be told up front`;
  }
  if (table.key.some((column) => assigned.has(column.toLowerCase()))) return `statement ${ordinal} changes the key of ${name}`;
  const moving = nondeterminism(statement);
  if (moving) return `statement ${ordinal} cannot be backed up: ${moving}`;
  if (facts.triggers.some((trigger) => trigger.event === event)) return triggerRefusal(target, event, ordinal);
  const cascade = facts.cascades.find((reference) =>
    statement.kind === "delete" ? !restricts(reference.onDelete) : !restricts(reference.onUpdate) && reference.columns.some((column) => assigned.has(column.toLowerCase())),
  );
  if (cascade) {
    return `statement ${ordinal} changes rows of ${name} that foreign key ${cascade.name} of ${cascade.child} follows (ON ${event} ${statement.kind === "delete" ? cascade.onDelete : cascade.onUpdate}), and a backup of ${name} does not hold those rows`;
  }
  return undefined;
}

function restricts(rule: string): boolean {
  return rule === "RESTRICT" || rule === "NO ACTION";
}

function triggerRefusal(target: Target, event: string, ordinal: number): string {
  const names = target.facts.triggers.filter((trigger) => trigger.event === event).map((trigger) => trigger.name);
  return `statement ${ordinal} fires trigger(s) ${names.join(", ")} on ${target.name}, whose own changes a backup of its rows does not hold`;
}
