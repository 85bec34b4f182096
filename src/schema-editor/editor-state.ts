// What an open editor carries between Slack interactions: which table, the pending edits, what the user typed.
// It rides in the modal's private_metadata (3000 characters at most); a larger state is kept here, in memory,
// under a random key that the metadata carries instead. Such a state lives for a day, and only in this process.
import { randomUUID } from "node:crypto";
import { SluiceError } from "../errors.ts";
import type { SchemaEdit } from "./model.ts";

export interface EditorState {
  /** The database label as the registry knows it. */
  database: string;
  table: string;
  isNew: boolean;
  edits: SchemaEdit[];
  page: number;
  filter: string;
  description: string;
  /** Set in a pushed form: the editor view to update when the form is submitted. */
  parentViewId?: string;
  /** Set in the column form when it edits an existing column. */
  column?: string;
}

export const PRIVATE_METADATA_LIMIT = 3000;
const KEPT_MS = 24 * 60 * 60 * 1000;

export class PendingEditStore {
  private readonly states = new Map<string, { state: EditorState; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The private_metadata for a state: the state itself when it fits, a reference to it otherwise. */
  encode(state: EditorState): string {
    const text = JSON.stringify(state);
    if (text.length <= PRIVATE_METADATA_LIMIT) return text;
    this.expire();
    const key = randomUUID();
    this.states.set(key, { state: structuredClone(state), expires: this.now() + KEPT_MS });
    return JSON.stringify({ pendingEditsKey: key });
  }

  /** The state a view carried; throws when it was kept here and is gone (expired, or another process). */
  decode(metadata: string): EditorState {
    const parsed = JSON.parse(metadata) as EditorState | { pendingEditsKey: string };
    if (!("pendingEditsKey" in parsed)) return parsed;
    const kept = this.states.get(parsed.pendingEditsKey);
    if (!kept || kept.expires < this.now()) throw new PendingEditsLostError();
    return structuredClone(kept.state);
  }

  get size(): number {
    return this.states.size;
  }

  private expire(): void {
    const now = this.now();
    for (const [key, kept] of this.states) if (kept.expires < now) this.states.delete(key);
  }
}

export class PendingEditsLostError extends SluiceError {
  constructor() {
    super("This schema editor's pending edits are no longer kept (Sluice restarted or a day passed). Open it again with /db schema.");
  }
}

/** Replaces any earlier primary-key edit: the key the form shows is the one that counts. */
export function withPrimaryKey(edits: SchemaEdit[], columns: string[]): SchemaEdit[] {
  return [...edits.filter((edit) => edit.op !== "primary-key"), { op: "primary-key", columns }];
}
