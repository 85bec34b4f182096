// Whether this MySQL/MariaDB/Aurora MySQL instance lets Sluice read back a change's own binlog events.
import type { RollbackReadiness } from "../../rollback/types.ts";
import type { MySqlSession } from "./session.ts";

export const BINLOG_SETTINGS = `SELECT @@GLOBAL.log_bin AS logBin, @@SESSION.binlog_format AS sessionFormat,
  @@GLOBAL.binlog_format AS globalFormat, @@SESSION.binlog_row_image AS rowImage, @@VERSION AS version`;
/** SHOW VARIABLES, unlike @@name, does not fail for a variable this server flavour lacks. */
export const BINLOG_RETENTION = `SHOW GLOBAL VARIABLES WHERE Variable_name IN ('expire_logs_days', 'binlog_expire_logs_seconds', 'aurora_version')`;
/** MySQL 8's way of logging a session's rows that Sluice cannot undo (absent on MariaDB and older MySQL). */
export const MYSQL8_ROW_LOGGING = `SHOW SESSION VARIABLES WHERE Variable_name IN ('binlog_row_value_options')`;
export const AURORA_CONFIGURATION = "CALL mysql.rds_show_configuration";
export const OWN_GRANTS = "SHOW GRANTS";

/** The binlog must outlive the moment between COMMIT and reading the change's events back; an hour is a floor. */
const MIN_RETENTION_SECONDS = 3600;

export async function checkBinlogReadiness(session: MySqlSession): Promise<RollbackReadiness> {
  const problems: string[] = [];
  const howToEnable: string[] = [];
  const problem = (what: string, fix: string): void => {
    problems.push(what);
    howToEnable.push(fix);
  };
  const [settings] = await session.queryRows(BINLOG_SETTINGS);
  const variables = new Map(
    (await session.queryRows(BINLOG_RETENTION)).map((row) => [String(row.Variable_name), String(row.Value)] as const),
  );
  const aurora = variables.has("aurora_version");
  const parameter = (name: string, value: string): string =>
    aurora
      ? `set ${name}=${value} in the cluster's DB cluster parameter group and reboot the writer`
      : `set ${name}=${value} in the server configuration (my.cnf) and restart, or SET GLOBAL ${name}='${value}'`;

  if (Number(settings?.logBin) !== 1) {
    problem("the binary log is off (log_bin=OFF)", aurora ? parameter("binlog_format", "ROW") + " (this turns the binlog on)" : "start the server with log_bin (e.g. --log-bin=mysql-bin) and server_id");
  } else {
    if (String(settings?.sessionFormat).toUpperCase() !== "ROW") {
      problem(`binlog_format is ${String(settings?.sessionFormat)} for this connection, not ROW`, parameter("binlog_format", "ROW"));
    }
    if (String(settings?.rowImage).toUpperCase() !== "FULL") {
      problem(`binlog_row_image is ${String(settings?.rowImage)}, not FULL`, parameter("binlog_row_image", "FULL"));
    }
    const retention = aurora ? await auroraRetentionProblem(session) : retentionProblem(variables);
    if (retention) problem(retention.what, retention.fix);
    const logging = new Map((await session.queryRows(MYSQL8_ROW_LOGGING)).map((row) => [String(row.Variable_name), String(row.Value)] as const));
    for (const { what, fix } of unreadRowLogging(logging, parameter)) problem(what, fix);
  }
  const grants = (await session.queryRows(OWN_GRANTS)).map((row) => String(Object.values(row)[0])).join("\n");
  const missing = missingReplicationPrivileges(grants);
  if (missing.length > 0) {
    problem(
      `the user Sluice connects as lacks ${missing.join(" and ")} (needed to read the binlog)`,
      `GRANT ${missing.join(", ")} ON *.* TO the Sluice user`,
    );
  }
  return { available: problems.length === 0, problems, howToEnable };
}

/**
 * MySQL 8 settings under which this session's row events are not ones Sluice can undo: partial JSON updates
 * (PARTIAL_UPDATE_ROWS_EVENT holds a diff, not the row after). Per session, so another session's are no matter.
 * Compressed transactions (binlog_transaction_compression, TRANSACTION_PAYLOAD_EVENT) are read (binlog-rows.ts).
 */
export function unreadRowLogging(
  variables: ReadonlyMap<string, string>,
  parameter: (name: string, value: string) => string,
): Array<{ what: string; fix: string }> {
  const problems: Array<{ what: string; fix: string }> = [];
  if (/PARTIAL_JSON/i.test(variables.get("binlog_row_value_options") ?? "")) {
    problems.push({
      what: "binlog_row_value_options is PARTIAL_JSON: JSON updates are logged as diffs, which Sluice cannot undo",
      fix: parameter("binlog_row_value_options", ""),
    });
  }
  return problems;
}

function retentionProblem(variables: Map<string, string>): { what: string; fix: string } | undefined {
  const seconds = Number(variables.get("binlog_expire_logs_seconds") ?? 0);
  const days = Number(variables.get("expire_logs_days") ?? 0);
  // MariaDB keeps both in step; MySQL 8 prefers the seconds. Zero everywhere means binlogs are never purged.
  const effective = seconds > 0 ? seconds : days * 86_400;
  if (effective === 0 || effective >= MIN_RETENTION_SECONDS) return undefined;
  return {
    what: `binlogs are purged after ${effective} s (binlog_expire_logs_seconds), too soon to read a change back`,
    fix: "SET GLOBAL binlog_expire_logs_seconds = 86400 (and keep it in the server configuration)",
  };
}

async function auroraRetentionProblem(session: MySqlSession): Promise<{ what: string; fix: string } | undefined> {
  const rows = await session.queryRows(AURORA_CONFIGURATION);
  const flat = rows.flat() as Array<Record<string, unknown>>;
  const hours = flat.find((row) => String(row.name).toLowerCase() === "binlog retention hours")?.value;
  if (hours !== null && hours !== undefined && Number(hours) >= 1) return undefined;
  return {
    what: "Aurora keeps no binlog retention ('binlog retention hours' is NULL): binlogs may be purged before Sluice reads them",
    fix: "CALL mysql.rds_set_configuration('binlog retention hours', 24)",
  };
}

/** Reading the binlog needs the dump privilege and the status privilege (MariaDB 10.5+ names the latter BINLOG MONITOR). */
export function missingReplicationPrivileges(grants: string): string[] {
  const global = grants
    .split("\n")
    .filter((line) => /\bON \*\.\* TO\b/i.test(line))
    .join("\n")
    .toUpperCase();
  if (/\bALL PRIVILEGES\b/.test(global)) return [];
  const missing: string[] = [];
  if (!/\bREPLICATION SLAVE\b(?! ADMIN)/.test(global) && !/\bREPLICATION REPLICA\b/.test(global)) missing.push("REPLICATION SLAVE");
  if (!/\bREPLICATION CLIENT\b|\bBINLOG MONITOR\b/.test(global)) missing.push("REPLICATION CLIENT");
  return missing;
}
