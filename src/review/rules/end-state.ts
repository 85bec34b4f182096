// Following a table through the change, for rules judged on the schema the change leads to.
import type { ReaderHit, SchemaReader } from "../types.ts";
import type { TableStep, WalkTable } from "../walk-through.ts";
import { NO_HITS } from "./define.ts";

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
export function leftFailing(holds: (table: WalkTable) => boolean, report: (table: WalkTable, ordinal: number) => ReaderHit): SchemaReader {
  return new LeftFailing(holds, report);
}

// The readers are classes, not objects of closures made per review: V8 keeps the optimized code of a closure only while
// one lives, so each review after a full collection compiled `step` and `finish` again (see FindingList in review.ts).
class LeftFailing implements SchemaReader {
  private readonly traces = new Map<string, FailingTrace>();

  constructor(
    private readonly holds: (table: WalkTable) => boolean,
    private readonly report: (table: WalkTable, ordinal: number) => ReaderHit,
  ) {}

  step(key: string, step: TableStep): void {
    const trace = this.traces.get(key);
    const held = step.state !== undefined && this.holds(step.state);
    if (!trace) {
      this.traces.set(key, { last: step, held });
      return;
    }
    if (!step.state) trace.brokeAt = undefined;
    else if (trace.last.state && trace.held && !held) trace.brokeAt = step.ordinal;
    trace.last = step;
    trace.held = held;
  }

  finish(): readonly ReaderHit[] {
    let hits: ReaderHit[] | undefined;
    for (const { last, held, brokeAt } of this.traces.values()) {
      if (!last.state || last.ordinal < 0 || held) continue;
      const ordinal = brokeAt ?? last.state.createdAt;
      if (ordinal !== undefined) (hits ??= []).push(this.report(last.state, ordinal));
    }
    return hits ?? NO_HITS;
  }
}

/** Reports on the state each table is left in, for every table the change touched and did not drop. */
export function finalStates(report: (table: WalkTable) => readonly ReaderHit[]): SchemaReader {
  return new FinalStates(report);
}

class FinalStates implements SchemaReader {
  private readonly last = new Map<string, TableStep>();

  constructor(private readonly report: (table: WalkTable) => readonly ReaderHit[]) {}

  step(key: string, step: TableStep): void {
    this.last.set(key, step);
  }

  finish(): readonly ReaderHit[] {
    const hits: ReaderHit[] = [];
    for (const step of this.last.values()) if (step.ordinal >= 0 && step.state) hits.push(...this.report(step.state));
    return hits;
  }
}
