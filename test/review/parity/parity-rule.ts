// The shape of a parity case: a script and the statements Bytebase's advisor flags in it.
import type { ReviewConfigInput } from "../../../src/review/index.ts";

export interface ParityCase {
  script: string;
  /** 1-based numbers of the statements the Bytebase rule flags; empty when it passes the script. */
  flagged: number[];
}

export interface ParityRule {
  /** Bytebase's rule type, e.g. `table.require-pk`. */
  bytebase: string;
  /** The Sluice rule(s) that stand for it, switched on together and alone. */
  rules: string[];
  /** Options equal to the Bytebase rule's payload. */
  options?: ReviewConfigInput["options"];
  cases: ParityCase[];
}

export const ok = (script: string): ParityCase => ({ script, flagged: [] });
export const flagged = (script: string, ...statements: number[]): ParityCase => ({ script, flagged: statements });
