// Slack sends a slash command's text escaped (`&gt;`, `<mailto:…|…>`, `<http://…|…>`): every subcommand reads it
// as the person typed it. The end-to-end tests send exactly what Slack sends.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { typedCommandText } from "../../src/slack/commands/command-text.ts";
import { slackEscapedCommandText } from "../../src/sandbox/slack-requests.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { DEVELOPER, fixtureDatabases, worldYaml } from "../query/support.ts";
import { dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";

const CHANNEL = "CQUERY";

describe("command text as Slack sends it", () => {
  test("entities and link markup are read back as typed", () => {
    assert.equal(typedCommandText("query db SELECT * FROM t WHERE id &gt; 1 AND id &lt; 9"), "query db SELECT * FROM t WHERE id > 1 AND id < 9");
    assert.equal(typedCommandText("x &amp;&amp; y &amp;lt;"), "x && y &lt;");
    assert.equal(typedCommandText("WHERE email = '<mailto:a@b.com|a@b.com>'"), "WHERE email = 'a@b.com'");
    assert.equal(typedCommandText("VALUES ('<http://x.io|x.io>', '<http://x.io>', '<https://x.io/a?b=1&amp;c=2>')"), "VALUES ('x.io', 'http://x.io', 'https://x.io/a?b=1&c=2')");
    assert.equal(typedCommandText("note '<@U123|ada>' '<#C1|general>' '<!here>'"), "note '@ada' '#general' '@here'");
  });

  test("what a person types survives Slack's escaping and Sluice's reading", () => {
    const typed = [
      "query db SELECT id FROM users WHERE id > 1 AND email <> 'ada@example.com' AND site = 'x.io' OR url = 'https://x.io/a?b=1&c=2'",
      "review db DELETE FROM t WHERE id > 0 AND note = '<b>&amp;</b>'",
      "change shop UPDATE t SET a = 'a < b > c && d' WHERE x >= 1",
      "query db SELECT * FROM `<!channel> <https://evil|re-login>`",
    ];
    for (const text of typed) {
      const sent = slackEscapedCommandText(text);
      assert.ok(!/[<>]/.test(sent.replace(/<(mailto:|https?:)[^<>]*>/g, "")), `sent as Slack sends it: ${sent}`);
      assert.equal(typedCommandText(sent), text);
    }
    assert.equal(slackEscapedCommandText("WHERE id > 1 AND e = 'a@b.com' AND s = 'x.io'"), "WHERE id &gt; 1 AND e = '<mailto:a@b.com|a@b.com>' AND s = '<http://x.io|x.io>'");
  });
});

describe("subcommands read the text Slack sends as typed", () => {
  let t: TestSluice;
  let mysqlDatabase: string;
  let postgresDatabase: string;

  /** Sends the text exactly as given (Slack's escaped form) and waits for the answer. */
  const answerTo = async (sent: string): Promise<string> => {
    const responses = t.slack.responses.length;
    const messages = t.slack.messages.length;
    const reply = await t.send.commandAsSent(sent, { id: DEVELOPER }, CHANNEL);
    assert.equal(reply.status, 200);
    return eventually(
      () => {
        const answer = t.slack.responses.slice(responses)[0]?.body ?? t.slack.messages.slice(messages).find((m) => m.visibleTo === DEVELOPER);
        return answer ? JSON.stringify(answer) : undefined;
      },
      10_000,
      `an answer to /db ${sent}`,
    );
  };

  before(async () => {
    ({ mysqlDatabase, postgresDatabase } = await fixtureDatabases());
    t = await startTestSluice({ yaml: worldYaml(mysqlDatabase, postgresDatabase) });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(mysqlDatabase);
    await dropPostgresDatabase(postgresDatabase);
  });

  test("/db query … WHERE id &gt; 1 compares with >", async () => {
    for (const database of [mysqlDatabase, postgresDatabase]) {
      const answer = await answerTo(`query ${database} SELECT id, name FROM users WHERE id &gt; 1`);
      assert.match(answer, /1 row/);
      assert.match(answer, /Linus/);
      assert.doesNotMatch(answer, /Ada/);
    }
  });

  test("/db query with an e-mail address Slack wrapped in mailto markup finds the row", async () => {
    const answer = await answerTo(`query ${postgresDatabase} SELECT id, name FROM users WHERE id = 1 AND CONCAT('ada', '@example.com') = '<mailto:ada@example.com|ada@example.com>'`);
    assert.match(answer, /1 row/);
    assert.match(answer, /Ada/);
  });

  test("/db review … WHERE id &gt; 0 is one statement that parses", async () => {
    const answer = await answerTo(`review ${mysqlDatabase} DELETE FROM users WHERE id &gt; 0`);
    assert.match(answer, /1 statement/);
    assert.doesNotMatch(answer, /parse|syntax/i);
  });

  test("/db admin and /db change read the SQL as typed", async () => {
    const refused = await answerTo(`admin ${mysqlDatabase} UPDATE users SET name = 'x' WHERE id &gt; 1`);
    assert.match(refused, /Only approvers/);
    const before = t.slack.views.length;
    await t.send.commandAsSent(`change ${mysqlDatabase} UPDATE users SET email = '<mailto:a@b.com|a@b.com>' WHERE id &gt;= 1 &amp;&amp; name &lt;&gt; '<http://x.io|x.io>'`, { id: DEVELOPER }, CHANNEL);
    const view = await eventually(() => t.slack.views[before], 10_000, "the change form");
    assert.match(JSON.stringify(view.view), /UPDATE users SET email = 'a@b.com' WHERE id >= 1 && name <> 'x.io'/);
  });
});
