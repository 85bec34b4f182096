// Reading a table's history through the change, for rules judged on the schema the change leads to.
import type { TableStep, WalkTable } from "../walk-through.ts";

/**
 * The statement that left a table failing `holds` at the end of the change: the last one that broke it, or the
 * CREATE TABLE when it never held. Undefined when it holds at the end, the table is gone, or the change did not touch it.
 */
export function brokenAt(steps: readonly TableStep[], holds: (table: WalkTable) => boolean): number | undefined {
  const last = steps.at(-1);
  if (!last?.state || last.ordinal < 0 || holds(last.state)) return undefined;
  for (let i = steps.length - 1; i > 0; i--) {
    const current = steps[i]!.state;
    const previous = steps[i - 1]!.state;
    if (!current || !previous) break;
    if (holds(previous) && !holds(current)) return steps[i]!.ordinal;
  }
  return last.state.createdAt;
}

/** The state of a table at the end of the change, when the change touched it and it still exists. */
export function finalState(steps: readonly TableStep[]): WalkTable | undefined {
  const last = steps.at(-1);
  return last && last.ordinal >= 0 ? last.state : undefined;
}
