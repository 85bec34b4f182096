// SQL given on the command line that is longer than a modal's text input holds (3,000 characters): the form cannot
// carry it, so Sluice keeps it in the store and the form refers to it (private_metadata holds the draft's key). The
// script submitted is the one given, whole, by whichever replica takes the submission, after a restart too; a form
// whose draft is gone (a day passed) says so.
import { randomUUID } from "node:crypto";
import { SluiceError } from "../errors.ts";
import type { PrismaClient } from "../store/generated/client.ts";

const KEPT_MS = 24 * 60 * 60 * 1000;

export class SqlDraftLostError extends SluiceError {
  constructor() {
    super("The SQL this form holds from your command is no longer kept (a draft is kept a day). Run the command again, or attach the script as a .sql file.");
  }
}

export class SqlDrafts {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps `sql` for `userId`'s form (and lets drafts past their day go); returns the key the form carries. */
  async keep(sql: string, userId: string): Promise<string> {
    const now = this.now();
    const key = randomUUID();
    await this.prisma.$transaction([
      this.prisma.sqlDraft.deleteMany({ where: { expiresAt: { lt: new Date(now) } } }),
      this.prisma.sqlDraft.create({ data: { key, userId, sql, expiresAt: new Date(now + KEPT_MS) } }),
    ]);
    return key;
  }

  /** The SQL kept under `key` for this user's form; only the user it was kept for gets it. */
  async read(key: string, userId: string): Promise<string> {
    const draft = await this.prisma.sqlDraft.findUnique({ where: { key } });
    if (!draft || draft.userId !== userId || draft.expiresAt.getTime() < this.now()) throw new SqlDraftLostError();
    return draft.sql;
  }
}
