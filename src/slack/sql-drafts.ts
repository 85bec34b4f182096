// SQL given on the command line that is longer than a modal's text input holds (3,000 characters): the form cannot
// carry it, so Sluice keeps it here and the form refers to it (private_metadata holds the draft's key). The script
// submitted is the one given, whole; a form whose draft is gone (restart, a day passed, another replica) says so.
import { randomUUID } from "node:crypto";
import { SluiceError } from "../errors.ts";

const KEPT_MS = 24 * 60 * 60 * 1000;

export class SqlDraftLostError extends SluiceError {
  constructor() {
    super("The SQL this form holds from your command is no longer kept (Sluice restarted or a day passed). Run the command again, or attach the script as a .sql file.");
  }
}

export class SqlDrafts {
  private readonly drafts = new Map<string, { sql: string; userId: string; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Keeps `sql` for `userId`'s form; returns the key the form carries. */
  keep(sql: string, userId: string): string {
    const now = this.now();
    for (const [key, draft] of this.drafts) if (draft.expires < now) this.drafts.delete(key);
    const key = randomUUID();
    this.drafts.set(key, { sql, userId, expires: now + KEPT_MS });
    return key;
  }

  /** The SQL kept under `key` for this user's form; only the user it was kept for gets it. */
  read(key: string, userId: string): string {
    const draft = this.drafts.get(key);
    if (!draft || draft.userId !== userId || draft.expires < this.now()) throw new SqlDraftLostError();
    return draft.sql;
  }
}
