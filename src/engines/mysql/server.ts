// Which server answers (MariaDB or MySQL, and its version), read once from SELECT VERSION() at connect.

export interface MySqlServer {
  flavor: "mariadb" | "mysql";
  major: number;
  minor: number;
  patch: number;
}

export function parseServerVersion(version: string): MySqlServer {
  // MariaDB behind a 5.5.5- prefix (older replication protocol) still names itself in the string.
  const numbers = /(\d+)\.(\d+)\.(\d+)/.exec(version.replace(/^5\.5\.5-/, ""));
  return {
    flavor: /mariadb/i.test(version) ? "mariadb" : "mysql",
    major: Number(numbers?.[1] ?? 0),
    minor: Number(numbers?.[2] ?? 0),
    patch: Number(numbers?.[3] ?? 0),
  };
}

export function atLeast(server: MySqlServer, major: number, minor: number, patch = 0): boolean {
  if (server.major !== major) return server.major > major;
  if (server.minor !== minor) return server.minor > minor;
  return server.patch >= patch;
}

/** The session variable that limits a statement's run time: MariaDB's covers every statement, MySQL's only SELECT. */
export function statementTimeLimitSetting(server: MySqlServer, timeoutMs: number): string {
  return server.flavor === "mariadb" ? `max_statement_time = ${timeoutMs / 1000}` : `max_execution_time = ${timeoutMs}`;
}
