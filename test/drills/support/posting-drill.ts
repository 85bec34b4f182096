// The world of a posting drill: a MariaDB target, a history store read beside Sluice, a local Slack, and the Sluice
// processes the drill starts and kills; all made before its test and dropped after it.
import { after, before } from "node:test";
import pg from "pg";
import { CHANNEL, DEVELOPER, workflowYaml } from "../../support/changes.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../../support/servers.ts";
import { eventually, storeUrl } from "../../support/sluice.ts";
import { LocalSlack } from "../../../src/sandbox/local-slack.ts";
import { startSluiceProcess, type SluiceProcess } from "../../changes/support/sluice-process.ts";

export class PostingDrill {
  slack!: LocalSlack;
  storeDatabase!: string;
  db!: string;
  history!: pg.Pool;
  private readonly running: SluiceProcess[] = [];

  constructor(databasePrefix: string) {
    before(async () => {
      this.db = await createMysqlDatabase(databasePrefix);
      this.storeDatabase = await createPostgresDatabase("sluice_store");
      this.slack = new LocalSlack();
      await this.slack.listen();
      this.history = new pg.Pool({ connectionString: storeUrl(this.storeDatabase), max: 2 });
    });
    after(async () => {
      for (const sluice of this.running) await sluice.kill9();
      await this.history.end();
      await this.slack.close();
      await dropMysqlDatabase(this.db);
      await dropPostgresDatabase(this.storeDatabase);
    });
  }

  /** A Prod database (changes wait for an approver), with delivery retried within a second. */
  get yaml(): string {
    return workflowYaml([{ name: this.db, engine: "mysql", environment: "Prod" }], "delivery:\n  maxRetrySeconds: 1\n");
  }

  /** Starts a Sluice process on the drill's store and Slack; after() kills whatever is still running. */
  async start(): Promise<SluiceProcess> {
    const sluice = await startSluiceProcess({ yaml: this.yaml, storeDatabase: this.storeDatabase, slack: this.slack });
    this.running.push(sluice);
    return sluice;
  }

  /** `/db change` as the developer: the change modal Sluice opened. */
  async openChangeModal(sluice: SluiceProcess) {
    const before = this.slack.views.length;
    await sluice.send.command("change", DEVELOPER, CHANNEL);
    return eventually(() => this.slack.views.slice(before).find((v) => v.view.callback_id === "change.submit"), 30_000, "the change modal");
  }

  /** The change's root message once the store records it, nothing is left to deliver, and its review is in its thread. */
  postedWithReview(changeId: number, description: string): Promise<string> {
    return eventually(async () => {
      const { rows } = await this.history.query<{ slackTs: string | null; pending: number }>(
        `SELECT "slackTs", (SELECT count(*)::int FROM "SlackOutbox") AS "pending" FROM "Change" WHERE "id" = $1`,
        [changeId],
      );
      const row = rows[0]!;
      return row.slackTs && row.pending === 0 && this.slack.thread(CHANNEL, row.slackTs).some((m) => /Review of/.test(m.text)) ? row.slackTs : undefined;
    }, 60_000, description);
  }
}
