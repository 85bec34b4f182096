// Records a PostgreSQL data change for rollback: before each UPDATE/DELETE the rows its own WHERE selects are copied,
// in the same transaction, into sluice_backup; INSERTs return the rows they create. Inverses are written as it goes.
import type pg from "pg";
import { RollbackScriptBuilder, unavailable } from "../../rollback/script.ts";
import type { DataChangeRecorder, PreparedRollback, RecordingOptions } from "../../rollback/types.ts";
import type { BatchOutcome, StatementOutcome } from "../engine.ts";
import { BACKUP_SCHEMA, ENSURE_BACKUP_SCHEMA, readBackupTable, type BackupTable } from "./backup-catalog.ts";
import { readDataStatement } from "./backup-statement.ts";
import { quoteIdentifier, quoteLiteral } from "./quote.ts";
import { PostgresInverseWriter, type RowLiterals } from "./rollback-inverse.ts";
import { affectedRows, type PostgresSession } from "./session.ts";

export class BackupRecorder implements DataChangeRecorder {
  private readonly builder = new RollbackScriptBuilder();
  private readonly backupTables: string[] = [];
  private refusal: string | undefined;
  private schemaReady = false;
  /** A data change holds no DDL, so a table's columns and key stay as first read for the whole transaction. */
  private readonly tables = new Map<string, Promise<BackupTable | undefined>>();

  constructor(
    private readonly session: PostgresSession,
    private readonly options: RecordingOptions,
  ) {}

  async execute(sql: string, ordinal: number): Promise<StatementOutcome> {
    if (this.refusal) return this.session.execute(sql);
    const statement = readDataStatement(sql);
    if (statement.kind === "other") return this.session.execute(sql);
    if (statement.kind === "refused") return this.refuse(`statement ${ordinal} cannot be backed up: ${statement.reason}`, sql);
    const table = await this.tableOf(statement.table);
    if (!table) return this.refuse(`statement ${ordinal} does not target a plain table (${statement.table})`, sql);
    const writer = new PostgresInverseWriter(table);
    if (statement.kind === "insert") return this.recordInsert(sql, writer);
    if (table.key.length === 0 && statement.kind === "update") {
      return this.refuse(`statement ${ordinal} updates ${writer.name}, which has no primary key or unique NOT NULL key to find the rows again`, sql);
    }
    if (statement.kind === "update" && assignsAny(statement.setText, table.key)) {
      return this.refuse(`statement ${ordinal} changes the key of ${writer.name}`, sql);
    }
    const backup = await this.backUp(table, statement.tableText, statement.whereText, ordinal);
    if (backup.rows + this.builder.rowCount > this.options.rowLimit) {
      await this.session.execute(`DROP TABLE ${backup.name}`);
      this.backupTables.pop();
      return this.refuse(this.overLimit(backup.rows + this.builder.rowCount), sql);
    }
    const outcome = await this.session.execute(sql);
    if (outcome.rowsAffected !== backup.rows) {
      this.refusal = `statement ${ordinal} changed ${outcome.rowsAffected} rows but its WHERE selected ${backup.rows} just before`;
      return outcome;
    }
    if (statement.kind === "delete") {
      const rows = await this.literalRows(`SELECT ${writer.literalsOf("b", "b")} FROM ${backup.name} b`, table, ["b"]);
      this.builder.addBatch(rows.map(([before]) => writer.undoDelete(before!)), rows.length);
    } else {
      const rows = await this.literalRows(
        `SELECT ${writer.literalsOf("b", "b")}, ${writer.literalsOf("t", "a")} FROM ${backup.name} b JOIN ${writer.name} t ON ${writer.keyJoin()}`,
        table,
        ["b", "a"],
      );
      if (rows.length !== backup.rows) {
        this.refusal = `statement ${ordinal}: ${backup.rows - rows.length} updated rows could not be found again by their key`;
        return outcome;
      }
      this.builder.addBatch(rows.flatMap(([before, after]) => writer.undoUpdate(before!, after!) ?? []), rows.length);
    }
    return outcome;
  }

  /**
   * Runs of INSERTs (with their RETURNING) and of statements that need no backup go to the server as one pipeline;
   * an UPDATE or DELETE, whose backup must be taken just before it, runs on its own through execute().
   */
  async executeBatch(statements: ReadonlyArray<{ sql: string; ordinal: number }>): Promise<BatchOutcome> {
    const outcomes: StatementOutcome[] = [];
    let next = 0;
    while (next < statements.length) {
      const run = await this.pipelinable(statements.slice(next));
      if (run.length === 0) {
        const { sql, ordinal } = statements[next]!;
        try {
          outcomes.push(await this.execute(sql, ordinal));
        } catch (error) {
          return { outcomes, failure: { index: next, error: error instanceof Error ? error : new Error(String(error)) } };
        }
        next += 1;
        continue;
      }
      const { results, failure } = await this.session.pipeline(run.map((step) => step.text));
      results.forEach(({ result, durationMs }, i) => outcomes.push(run[i]!.keep(result, durationMs)));
      if (failure) return { outcomes, failure: { index: next + failure.index, error: failure.error } };
      next += run.length;
    }
    return { outcomes };
  }

  /** The leading statements that can share a pipeline: what to send for each and how to keep its result. */
  private async pipelinable(statements: ReadonlyArray<{ sql: string }>): Promise<PipelineStep[]> {
    const run: PipelineStep[] = [];
    const plain = (result: pg.QueryResult, durationMs: number): StatementOutcome => ({ rowsAffected: affectedRows(result), durationMs });
    for (const { sql } of statements) {
      const statement = this.refusal ? undefined : readDataStatement(sql);
      if (!statement || statement.kind === "other") {
        run.push({ text: sql, keep: plain });
        continue;
      }
      const table = statement.kind === "insert" ? await this.tableOf(statement.table) : undefined;
      if (!table) break;
      const writer = new PostgresInverseWriter(table);
      run.push({ text: returningNewRows(sql, writer), keep: (result, durationMs) => this.keepInserted(result.rows, writer, durationMs) });
    }
    return run;
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
    if (this.refusal) {
      const kept = this.backupTables.length > 0 ? ` (backup tables kept: ${this.backupTables.join(", ")})` : "";
      return unavailable(`rollback is unavailable: ${this.refusal}${kept}.`);
    }
    return this.builder.build(this.options.changeKey, { backupTables: [...this.backupTables] });
  }

  private async refuse(reason: string, sql: string): Promise<StatementOutcome> {
    this.refusal ??= reason;
    return this.session.execute(sql);
  }

  private overLimit(rows: number): string {
    return `the change touches more than ${this.options.rowLimit} rows (${rows}), the rollback row limit; take a backup before changes this large`;
  }

  private async recordInsert(sql: string, writer: PostgresInverseWriter): Promise<StatementOutcome> {
    const started = performance.now();
    const returned = await this.session.queryRows(returningNewRows(sql, writer));
    return this.keepInserted(returned, writer, performance.now() - started);
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

  /** Copies the rows the statement's own WHERE selects, locking them so the statement meets the same rows. */
  private async backUp(table: BackupTable, tableText: string, whereText: string | undefined, ordinal: number): Promise<{ name: string; rows: number }> {
    if (!this.schemaReady) {
      await this.session.execute(ENSURE_BACKUP_SCHEMA);
      this.schemaReady = true;
    }
    const created = new Date();
    const stamp = created.toISOString().replace(/[-:.]/g, "").toLowerCase();
    const name = `${quoteIdentifier(BACKUP_SCHEMA)}.${quoteIdentifier(`${this.options.changeKey.toLowerCase()}_s${ordinal}_${stamp}`.slice(0, 63))}`;
    await this.session.execute(`CREATE TABLE ${name} AS SELECT * FROM ${tableText}${whereText ? ` WHERE ${whereText}` : ""} FOR UPDATE`);
    await this.session.execute(
      `COMMENT ON TABLE ${name} IS ${quoteLiteral(`sluice backup of ${table.schema}.${table.name} for ${this.options.changeKey} statement ${ordinal}; created ${created.toISOString()}`)}`,
    );
    this.backupTables.push(name);
    const [count] = await this.session.queryRows(`SELECT count(*)::int8 AS rows FROM ${name}`);
    return { name, rows: Number(count?.rows ?? 0) };
  }

  private async literalRows(sql: string, table: BackupTable, prefixes: string[]): Promise<RowLiterals[][]> {
    const rows = await this.session.queryRows(sql);
    return rows.map((row) => prefixes.map((prefix) => table.columns.map((_, i) => String(row[`${prefix}${i}`]))));
  }
}

interface PipelineStep {
  text: string;
  keep: (result: pg.QueryResult, durationMs: number) => StatementOutcome;
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
