// An environment is a boundary: a change, a /db admin command or a /db query for database X may reference only X,
// whatever else the instance holds (SECURITY.md §3). Checked when SQL is submitted and again right before it runs;
// the engine decides what a statement reaches (Engine.outsideDatabase).
import { engineFor, type EngineName } from "../engines/index.ts";

/** The database a statement is for, as the boundary needs it. */
export interface BoundedDatabase {
  name: string;
  /** What people type for it (the bare name, or instance/name). */
  label: string;
  instance: { engine: EngineName };
  environment: { name: string };
}

/** A statement that could reach outside its database: where it is, and why. */
export interface BoundaryBreach {
  /** 0-based position among the statements checked. */
  ordinal: number;
  line: number;
  reason: string;
}

/** The first statement that could reach outside `database`, or undefined when every one stays inside. */
export async function boundaryBreach(
  database: BoundedDatabase,
  statements: Iterable<{ text: string; line: number }> | AsyncIterable<{ text: string; line: number }>,
): Promise<BoundaryBreach | undefined> {
  const engine = engineFor(database.instance.engine);
  let ordinal = 0;
  for await (const statement of statements) {
    const reason = await engine.outsideDatabase(statement.text, database.name);
    if (reason) return { ordinal, line: statement.line, reason };
    ordinal++;
  }
  return undefined;
}

/** What the person is told: where, why, and the rule (`subject` is e.g. "A change for"). */
export function boundaryMessage(database: BoundedDatabase, breach: BoundaryBreach, subject: string): string {
  return (
    `Line ${breach.line}: ${breach.reason}. ${subject} ${database.label} may reference only database ${database.name} ` +
    `(${database.environment.name}): write names without a database, or with ${database.name}.`
  );
}
