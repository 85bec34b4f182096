// Records a PostgreSQL data change for rollback: before each UPDATE/DELETE the rows its own WHERE selects are copied,
// in the same transaction, into the change's backup table for that target in sluice_backup (one per target table, not
// per statement, so a change of many statements takes few locks); INSERTs return the rows they create. Inverses are
// written as it goes.
import type pg from "pg";
import { backupComment, backupName, overRowLimit, priorBackupRollback } from "../../rollback/backup-tables.ts";
import { runPlannedStep, runPlannedSteps, type PlannedStep, type StepRunner } from "../../rollback/planned-steps.ts";
import { RollbackScriptBuilder } from "../../rollback/script.ts";
import type { DataChangeRecorder, PreparedRollback, RecordingOptions } from "../../rollback/types.ts";
import type { BatchOutcome, StatementOutcome } from "../engine.ts";
import { BACKUP_SCHEMA, BACKUP_STATEMENT_COLUMN, ENSURE_BACKUP_SCHEMA, readBackupTable, type BackupTable } from "./backup-catalog.ts";
import { readDataStatement, type DataStatement } from "./backup-statement.ts";
import { quoteIdentifier, quoteLiteral } from "./quote.ts";
import { PostgresInverseWriter, type RowLiterals } from "./rollback-inverse.ts";
import { affectedRows, type PostgresSession } from "./session.ts";

/** PostgreSQL's longest name (NAMEDATALEN - 1). */
const MAX_NAME_LENGTH = 63;

/** Quoted once: every query of a backup table filters on it. */
const STATEMENT_COLUMN = quoteIdentifier(BACKUP_STATEMENT_COLUMN);

type RowChange = Extract<DataStatement, { kind: "update" | "delete" }>;

/** The change's backup table for one target table, shared by all its UPDATEs and DELETEs. */
interface Backup {
  name: string;
  /** The statement it was created for: until a later one adds rows, it holds that statement's rows only. */
  createdFor: number;
}

export class BackupRecorder implements DataChangeRecorder {
  private readonly builder = new RollbackScriptBuilder();
  /** By target table oid, in the order they were created. */
  private readonly backups = new Map<string, Backup>();
  private refusal: string | undefined;
  private schemaReady = false;
  /** A data change holds no DDL, so a table's columns and key stay as first read for the whole transaction. */
  private readonly tables = new Map<string, Promise<BackupTable | undefined>>();

  constructor(
    private readonly session: PostgresSession,
    private readonly options: RecordingOptions,
  ) {}

  /** How runPlannedSteps sends this recorder's statements: PostgreSQL's pipeline mode. */
  private readonly steps: StepRunner<string, PipelinedAnswer> = {
    plan: (sql, ordinal) => this.plan(sql, ordinal),
    pipeline: async (texts) => {
      const { results, failure } = await this.session.pipeline(texts);
      return { answers: results, failure };
    },
    refuse: (reason, sql) => this.refuse(reason, sql),
  };

  execute(sql: string, ordinal: number): Promise<StatementOutcome> {
    return runPlannedStep(this.steps, sql, ordinal);
  }

  /**
   * What a statement sends to the server, with what its rollback needs, and how its answers are kept; or why its
   * rollback is refused (it then runs on its own, see refuse()).
   */
  private async plan(sql: string, ordinal: number): Promise<PipelineStep | { refusal: string }> {
    const statement = this.refusal ? undefined : readDataStatement(sql);
    if (!statement || statement.kind === "other") return { statements: [sql], keep: plainOutcome };
    if (statement.kind === "refused") return { refusal: `statement ${ordinal} cannot be backed up: ${statement.reason}` };
    const table = await this.tableOf(statement.table);
    if (!table) return { refusal: `statement ${ordinal} does not target a plain table (${statement.table})` };
    const writer = new PostgresInverseWriter(table);
    if (statement.kind === "insert") {
      return { statements: [returningNewRows(sql, writer)], keep: ([answer]) => this.keepInserted(answer!.result.rows, writer, answer!.durationMs) };
    }
    const refusal = rowChangeRefusal(statement, table, writer, ordinal);
    return refusal ? { refusal } : this.rowChangeStep(statement, table, writer, sql, ordinal);
  }

  /**
   * What an UPDATE or DELETE sends, all in one pipeline with the statements around it: the copy of the rows its own
   * WHERE selects, locked so that the statement meets the same rows; the statement; and the literals its inverses
   * need. Its answers are kept in order, after those of the statements before it.
   */
  private rowChangeStep(statement: RowChange, table: BackupTable, writer: PostgresInverseWriter, sql: string, ordinal: number): PipelineStep {
    const { backup, setup } = this.backupOf(table, writer, ordinal);
    // Past the row limit the rollback is refused, so no more literals are read than that.
    const room = Math.max(0, this.options.rowLimit - this.builder.rowCount) + 1;
    const texts = [
      ...setup,
      // Line breaks keep a line comment at the end of the user's text from swallowing what follows it.
      `INSERT INTO ${backup.name} SELECT ${ordinal}, * FROM ${statement.tableText}${statement.whereText ? `\nWHERE ${statement.whereText}` : ""}\nFOR UPDATE`,
      sql,
      statement.kind === "delete"
        ? `SELECT ${writer.literalsOf("b", "b")} FROM ${backup.name} b WHERE b.${STATEMENT_COLUMN} = ${ordinal} LIMIT ${room}`
        : `SELECT ${writer.literalsOf("b", "b")}, ${writer.literalsOf("t", "a")} FROM ${backup.name} b JOIN ${writer.name} t ON ${writer.keyJoin()} WHERE b.${STATEMENT_COLUMN} = ${ordinal} LIMIT ${room}`,
    ];
    const keep = async (answers: PipelinedAnswer[]): Promise<StatementOutcome> => {
      const [copy, change, literals] = answers.slice(setup.length);
      const copied = affectedRows(copy!.result);
      const outcome = { rowsAffected: affectedRows(change!.result), durationMs: change!.durationMs };
      if (this.refusal) return outcome;
      if (this.builder.rowCount + copied > this.options.rowLimit) {
        this.refusal = this.overLimit(copied + this.builder.rowCount);
        await this.discard(table, backup, ordinal);
        return outcome;
      }
      if (outcome.rowsAffected !== copied) {
        this.refusal = `statement ${ordinal} changed ${outcome.rowsAffected} rows but its WHERE selected ${copied} just before`;
        return outcome;
      }
      if (statement.kind === "delete") {
        const rows = literalRows(literals!.result.rows, table, ["b"]);
        this.builder.addBatch(rows.map(([before]) => writer.undoDelete(before!)), rows.length);
        return outcome;
      }
      const rows = literalRows(literals!.result.rows, table, ["b", "a"]);
      if (rows.length !== copied) {
        this.refusal = `statement ${ordinal}: ${copied - rows.length} updated rows could not be found again by their key`;
        return outcome;
      }
      this.builder.addBatch(rows.flatMap(([before, after]) => writer.undoUpdate(before!, after!) ?? []), rows.length);
      return outcome;
    };
    return { statements: texts, keep };
  }

  /** The change's backup table for the target, and the statements that create it when none exists yet. */
  private backupOf(table: BackupTable, writer: PostgresInverseWriter, ordinal: number): { backup: Backup; setup: string[] } {
    const existing = this.backups.get(table.oid);
    if (existing) return { backup: existing, setup: [] };
    const created = new Date();
    const name = backupName(this.options.changeKey, this.backups.size + 1, table.name, created, MAX_NAME_LENGTH);
    const backup = { name: `${quoteIdentifier(BACKUP_SCHEMA)}.${quoteIdentifier(name)}`, createdFor: ordinal };
    this.backups.set(table.oid, backup);
    const setup = this.schemaReady ? [] : [ENSURE_BACKUP_SCHEMA];
    this.schemaReady = true;
    setup.push(
      `CREATE TABLE ${backup.name} AS SELECT 0::int4 AS ${STATEMENT_COLUMN}, * FROM ${writer.name} WITH NO DATA`,
      // Each statement reads back only its own rows, which would otherwise mean a scan of all earlier ones.
      `CREATE INDEX ON ${backup.name} (${STATEMENT_COLUMN})`,
      `COMMENT ON TABLE ${backup.name} IS ${quoteLiteral(backupComment(`${table.schema}.${table.name}`, this.options.changeKey, created))}`,
    );
    return { backup, setup };
  }

  /** A statement past the row limit keeps no backup rows: a table that holds only its rows goes with them. */
  private async discard(table: BackupTable, backup: Backup, ordinal: number): Promise<void> {
    if (backup.createdFor === ordinal) {
      await this.session.execute(`DROP TABLE ${backup.name}`);
      this.backups.delete(table.oid);
    } else {
      await this.session.execute(`DELETE FROM ${backup.name} WHERE ${STATEMENT_COLUMN} = ${ordinal}`);
    }
  }

  /**
   * Runs of statements go to the server as one pipeline, each with what its rollback needs: INSERTs with their
   * RETURNING, UPDATEs and DELETEs with their backup before and the read-back of their rows after.
   */
  executeBatch(statements: ReadonlyArray<{ sql: string; ordinal: number }>): Promise<BatchOutcome> {
    return runPlannedSteps(this.steps, statements);
  }

  private tableOf(name: string): Promise<BackupTable | undefined> {
    let table = this.tables.get(name);
    if (!table) {
      table = readBackupTable(this.session, name);
      this.tables.set(name, table);
    }
    return table;
  }

  async finish(): Promise<PreparedRollback> {
    const backupTables = [...this.backups.values()].map((backup) => backup.name);
    return priorBackupRollback(this.builder, this.options.changeKey, this.refusal, backupTables);
  }

  private async refuse(reason: string, sql: string): Promise<StatementOutcome> {
    this.refusal ??= reason;
    return this.session.execute(sql);
  }

  private overLimit(rows: number): string {
    return overRowLimit(this.options.rowLimit, rows);
  }

  /** Keeps the inverses of the rows an INSERT returned, unless the rollback was refused or would pass the row limit. */
  private keepInserted(returned: Array<Record<string, unknown>>, writer: PostgresInverseWriter, durationMs: number): StatementOutcome {
    const outcome = { rowsAffected: returned.length, durationMs };
    if (this.refusal) return outcome;
    if (this.builder.rowCount + returned.length > this.options.rowLimit) {
      this.refusal ??= this.overLimit(this.builder.rowCount + returned.length);
      return outcome;
    }
    const rows = returned.map((row) => writer.quoted.map((_, i) => String(row[`a${i}`])));
    this.builder.addBatch(rows.map((after) => writer.undoInsert(after)), rows.length);
    return outcome;
  }
}

type PipelinedAnswer = { result: pg.QueryResult; durationMs: number };

/** A statement whose rollback needs nothing: its rows and time. */
function plainOutcome([answer]: PipelinedAnswer[]): StatementOutcome {
  return { rowsAffected: affectedRows(answer!.result), durationMs: answer!.durationMs };
}

type PipelineStep = PlannedStep<string, PipelinedAnswer>;

/** Why an UPDATE or DELETE cannot be backed up, or undefined when it can. */
function rowChangeRefusal(statement: RowChange, table: BackupTable, writer: PostgresInverseWriter, ordinal: number): string | undefined {
  if (table.key.length === 0 && statement.kind === "update") {
    return `statement ${ordinal} updates ${writer.name}, which has no primary key or unique NOT NULL key to find the rows again`;
  }
  if (statement.kind === "update" && assignsAny(statement.setText, table.key)) return `statement ${ordinal} changes the key of ${writer.name}`;
  if (table.allColumns.includes(BACKUP_STATEMENT_COLUMN)) {
    return `statement ${ordinal} changes ${writer.name}, whose column ${STATEMENT_COLUMN} has the name of the backup tables' own statement column`;
  }
  return undefined;
}

function literalRows(rows: Array<Record<string, unknown>>, table: BackupTable, prefixes: string[]): RowLiterals[][] {
  return rows.map((row) => prefixes.map((prefix) => table.columns.map((_, i) => String(row[`${prefix}${i}`]))));
}

/** An INSERT gets a RETURNING of its new rows' literals (on its own line, after any trailing comment). */
function returningNewRows(sql: string, writer: PostgresInverseWriter): string {
  return `${sql}\nRETURNING ${writer.literalsOf(undefined, "a")}`;
}

/** Whether a SET clause assigns any of the named columns (plain or parenthesized targets, quoted or not). */
function assignsAny(setText: string, columns: string[]): boolean {
  const targets = new Set<string>();
  for (const match of setText.matchAll(/(?:^|,)\s*\(?\s*((?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*,\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))*)\s*\)?\s*=/g)) {
    for (const part of match[1]!.split(",")) {
      const name = part.trim();
      targets.add(name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name.toLowerCase());
    }
  }
  return columns.some((column) => targets.has(column));
}
