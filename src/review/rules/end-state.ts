// Following a table through the change, for rules judged on the schema the change leads to.
import type { RuleHit, SchemaReader } from "../types.ts";
import type { TableStep, WalkTable } from "../walk-through.ts";
import { NO_HITS } from "./define.ts";

type SchemaHit = RuleHit & { ordinal: number };

/** Where one table stands for `leftFailing`, updated at each of its steps. */
interface FailingTrace {
  last: TableStep;
  /** Whether `holds` held at the last step (false when the table was gone). */
  held: boolean;
  /** The last statement that broke `holds` since the table last reappeared; undefined when none did. */
  brokeAt?: number;
}

/**
 * Reports each table the change leaves failing `holds`, at the last statement that broke it, or at its CREATE TABLE when
 * it never held. Nothing for a table that holds at the end, is gone, or was not touched by the change.
 */
export function leftFailing(holds: (table: WalkTable) => boolean, report: (table: WalkTable, ordinal: number) => SchemaHit): SchemaReader {
  const traces = new Map<string, FailingTrace>();
  return {
    step(key, step) {
      const trace = traces.get(key);
      const held = step.state !== undefined && holds(step.state);
      if (!trace) {
        traces.set(key, { last: step, held });
        return;
      }
      if (!step.state) trace.brokeAt = undefined;
      else if (trace.last.state && trace.held && !held) trace.brokeAt = step.ordinal;
      trace.last = step;
      trace.held = held;
    },
    finish() {
      let hits: SchemaHit[] | undefined;
      for (const { last, held, brokeAt } of traces.values()) {
        if (!last.state || last.ordinal < 0 || held) continue;
        const ordinal = brokeAt ?? last.state.createdAt;
        if (ordinal !== undefined) (hits ??= []).push(report(last.state, ordinal));
      }
      return hits ?? NO_HITS;
    },
  };
}

/** Reports on the state each table is left in, for every table the change touched and did not drop. */
export function finalStates(report: (table: WalkTable) => readonly SchemaHit[]): SchemaReader {
  const last = new Map<string, TableStep>();
  return {
    step(key, step) {
      last.set(key, step);
    },
    finish() {
      const hits: SchemaHit[] = [];
      for (const step of last.values()) if (step.ordinal >= 0 && step.state) hits.push(...report(step.state));
      return hits;
    },
  };
}
