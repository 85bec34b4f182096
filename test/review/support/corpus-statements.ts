// Reads the shared SQL corpus and splits it into statements with the engines' own splitters.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EngineName, SqlStatement } from "../../../src/engines/engine.ts";
import { splitStatements as splitMySql } from "../../../src/engines/mysql/split.ts";
import { splitStatements as splitPostgres } from "../../../src/engines/postgres/split.ts";

/** `../shared/corpus` beside the project; SLUICE_TEST_CORPUS names it elsewhere (a worktree's checkout is one level deeper). */
export const corpusRoot = process.env.SLUICE_TEST_CORPUS ?? fileURLToPath(new URL("../../../../shared/corpus/", import.meta.url));

export interface CorpusFile {
  path: string;
  statements: SqlStatement[];
}

const splitters: Record<EngineName, (script: string) => SqlStatement[]> = {
  mysql: splitMySql,
  postgres: splitPostgres,
};

function sqlFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...sqlFiles(path));
    else if (entry.name.endsWith(".sql")) files.push(path);
  }
  return files.sort();
}

export function corpusPresent(): boolean {
  return existsSync(join(corpusRoot, "mysql")) && existsSync(join(corpusRoot, "postgres"));
}

export function readCorpus(engine: EngineName): CorpusFile[] {
  return sqlFiles(join(corpusRoot, engine)).map((path) => ({ path, statements: splitters[engine](readFileSync(path, "utf8")) }));
}
