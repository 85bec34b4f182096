// Masking through Slack (issue 21): signed /db query requests and modal submissions through the real Bolt receiver.
// Probes from the attack corpus are refused in the answer, naming the column; with approversSeeUnmasked an approver's
// answer in the channel is masked like anyone's, and only an answer to the approver alone shows values.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { commandAnswer, eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { APPROVER, DEVELOPER, fixtureDatabases, submitQueryModalToThread, worldYaml } from "./support.ts";
import { dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";

const CHANNEL = "CQUERY";
const SECRETS = /ada@example\.com|linus@example\.com|555 0100|120000|98000/;

describe("masking through Slack", () => {
  let t: TestSluice;
  let mysqlDatabase: string;
  let postgresDatabase: string;

  const answerTo = (text: string, user: string) => commandAnswer(t, text, user, CHANNEL);

  before(async () => {
    ({ mysqlDatabase, postgresDatabase } = await fixtureDatabases());
    t = await startTestSluice({ yaml: worldYaml(mysqlDatabase, postgresDatabase).replace("rowLimit: 50", "rowLimit: 500").replace("  masking:\n", "  masking:\n    approversSeeUnmasked: true\n") });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(mysqlDatabase);
    await dropPostgresDatabase(postgresDatabase);
  });

  test("probes of the attack corpus are refused in the answer, naming the column, or answered masked", async () => {
    const probes: Array<[string, string, RegExp]> = [
      [postgresDatabase, "SELECT count(*) FROM users WHERE email LIKE 'a%'", /Refused, nothing was run: the sensitive column `users\.email` is used inside LIKE in WHERE/],
      [postgresDatabase, "SELECT x FROM users, unnest(ARRAY[email]) AS x", /Refused, nothing was run: the sensitive column `users\.email`/],
      [postgresDatabase, "SELECT email::int FROM users", /Refused, nothing was run: the sensitive column `users\.email` is used inside a cast/],
      [postgresDatabase, "SELECT most_common_vals FROM pg_stats", /Refused, nothing was run: `pg_stats` holds samples of column values/],
      [mysqlDatabase, "SELECT EXTRACTVALUE(1, CONCAT('~', email)) FROM users", /Refused, nothing was run: the sensitive column `users\.email`/],
      [mysqlDatabase, "SELECT s.seq FROM seq_1_to_30 s JOIN users u ON SUBSTR(u.email, s.seq, 1) = 'a'", /Refused, nothing was run: the sensitive column `users\.email` is used inside SUBSTR\(\) in JOIN … ON/],
      [mysqlDatabase, "SELECT authentication_string FROM mysql.user", /Refused, nothing was run: `mysql\.user`/],
      [postgresDatabase, "SELECT v.e FROM users t1, LATERAL (VALUES (t1.email)) v(e)", /masked: `e`/],
    ];
    for (const [database, sql, expected] of probes) {
      const body = await answerTo(`query ${database} ${sql}`, DEVELOPER);
      const text = JSON.stringify(body);
      assert.equal(body.response_type, "ephemeral");
      assert.match(text, expected, sql);
      assert.doesNotMatch(text, SECRETS, sql);
    }
  });

  test("an approver's answer in the channel is masked even with approversSeeUnmasked; answered to them alone it is not", async () => {
    const sql = "SELECT name, email FROM users UNION ALL SELECT g::text, 'user' || g || '@example.com' FROM generate_series(1, 150) g";
    const posted = t.slack.channelMessages(CHANNEL).length;
    const submitted = await submitQueryModalToThread(t, APPROVER, CHANNEL, postgresDatabase, sql);
    assert.equal(submitted.status, 200);
    const file = await eventually(() => [...t.slack.files.values()].find((f) => f.threadTs !== undefined && f.content.toString("utf8").includes("Ada")), 10_000, "the CSV");
    assert.doesNotMatch(file.content.toString("utf8"), /@example\.com/);
    const inChannel = JSON.stringify([...t.slack.channelMessages(CHANNEL).slice(posted), ...t.slack.thread(CHANNEL, file.threadTs!)].map((m) => m.blocks));
    assert.match(inChannel, /masked: `email`/);
    assert.doesNotMatch(inChannel, SECRETS);

    const alone = await answerTo(`query ${postgresDatabase} SELECT email FROM users ORDER BY id`, APPROVER);
    assert.match(JSON.stringify(alone.blocks), /ada@example\.com/);
    assert.equal(alone.response_type, "ephemeral");
  });

  test("a server error reaches Slack with its code, without the values it quotes", async () => {
    const body = await answerTo(`query ${postgresDatabase} SELECT name::int FROM users`, DEVELOPER);
    assert.match(String(body.text), /refused the query \(22P02\): invalid input syntax for type integer: "…"/);
    assert.doesNotMatch(JSON.stringify(body), /Ada|Linus/);
  });
});
