import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, loadSettings, parseConfigFile } from "../../src/config/load.ts";
import { repoRoot } from "../support/servers.ts";

const valid = `
environments:
  - name: Test
    tier: test
    autoApprove: true
  - name: Prod
    tier: prod
    approvers: { users: [U0APPROVER], groups: [S0DBAS] }
instances:
  - name: aurora-prod
    engine: mysql
    host: prod.cluster-abc.eu-west-1.rds.amazonaws.com
    user: sluice
    passwordEnv: SLUICE_PROD_PASSWORD
    tls: { caPath: /etc/ssl/rds.pem }
projects:
  - key: TAR
    name: Target
    channel: C0CHANNEL
    databases:
      - { name: shop, instance: aurora-prod, environment: Prod }
`;

function writeConfig(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "sluice-config-")), "sluice.yml");
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the configuration to be refused");
}

describe("sluice.yml", () => {
  test("a valid file loads with defaults filled in and the password taken from its variable", () => {
    const config = loadConfig({ SLUICE_CONFIG: writeConfig(valid), SLUICE_PROD_PASSWORD: "s3cret" });
    assert.equal(config.file.environments[1]!.allowSelfApproval, false);
    assert.equal(config.file.instances[0]!.tls?.rejectUnauthorized, true);
    assert.equal(config.file.drift.schedule, "*/10 * * * *");
    assert.equal(config.file.query.rowLimit, 1000);
    assert.equal(config.passwords.get("aurora-prod"), "s3cret");
  });

  test("a wrong field names the file, the field and what is wrong", () => {
    const path = writeConfig(valid.replace("engine: mysql", "engine: oracle"));
    const error = errorOf(() => loadConfig({ SLUICE_CONFIG: path, SLUICE_PROD_PASSWORD: "x" }));
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, /instances\[0\]\.engine/);
    assert.match(error.message, /mysql|postgres/);
  });

  test("a database on an unknown instance or environment is refused with the known names", () => {
    const error = errorOf(() => parseConfigFile(valid.replace("instance: aurora-prod, environment: Prod", "instance: nowhere, environment: Staging"), "sluice.yml"));
    assert.match(error.message, /projects\[0\]\.databases\[0\]\.instance: unknown instance "nowhere" \(defined: aurora-prod\)/);
    assert.match(error.message, /unknown environment "Staging" \(defined: Test, Prod\)/);
  });

  test("an unknown field is refused rather than ignored", () => {
    const error = errorOf(() => parseConfigFile(valid.replace("autoApprove: true", "autoApprove: true\n    aproovers: []"), "sluice.yml"));
    assert.match(error.message, /environments\[0\]/);
    assert.match(error.message, /aproovers/);
  });

  test("a password variable that is not set stops start-up, naming it without any value", () => {
    const error = errorOf(() => loadConfig({ SLUICE_CONFIG: writeConfig(valid) }));
    assert.match(error.message, /SLUICE_PROD_PASSWORD is not set/);
  });

  test("a password written into the file is refused, naming the field and never the value: passwords come only from the environment", () => {
    const error = errorOf(() => parseConfigFile("environments: [{ name: Test }]\ninstances:\n  - { name: m, engine: mysql, host: h, user: u, password: hunter22 }\n", "sluice.yml"));
    assert.match(error.message, /sluice\.yml: instances\[0\]: Unrecognized key: "password"/);
    assert.doesNotMatch(error.message, /hunter22/);
  });

  test("a YAML syntax error names the file", () => {
    const error = errorOf(() => parseConfigFile("environments: [\n  - name: x", "/etc/sluice.yml"));
    assert.match(error.message, /^\/etc\/sluice\.yml: /);
  });

  test("a missing file says how to create one", () => {
    const error = errorOf(() => loadConfig({ SLUICE_CONFIG: "/nonexistent/sluice.yml" }));
    assert.match(error.message, /file not found; copy sluice\.example\.yml/);
  });

  test("bad Slack IDs and project keys are explained", () => {
    const error = errorOf(() => parseConfigFile(valid.replace("U0APPROVER", "alice").replace("key: TAR", "key: tar"), "sluice.yml"));
    assert.match(error.message, /approvers\.users\[0\]: must be a Slack user ID/);
    assert.match(error.message, /projects\[0\]\.key: must be 2-10 upper-case/);
  });

  test("an instance's environments must be defined, and every database listed on it must be in one of them", () => {
    const unknown = errorOf(() => parseConfigFile(valid.replace("    user: sluice\n", "    user: sluice\n    environments: [Staging]\n"), "sluice.yml"));
    assert.match(unknown.message, /sluice\.yml: instances\[0\]\.environments: unknown environment "Staging" \(defined: Test, Prod\)/);
    const notServed = errorOf(() => parseConfigFile(valid.replace("    user: sluice\n", "    user: sluice\n    environments: [Test]\n"), "sluice.yml"));
    assert.match(notServed.message, /projects\[0\]\.databases\[0\]\.environment: instance "aurora-prod" serves Test only, not Prod/);
  });

  test("a database may name its own account; its password comes only from its variable and is never echoed", () => {
    const own = valid.replace("environment: Prod }", "environment: Prod, user: sluice_shop, passwordEnv: SLUICE_SHOP_PASSWORD }");
    const config = loadConfig({ SLUICE_CONFIG: writeConfig(own), SLUICE_PROD_PASSWORD: "instance-secret", SLUICE_SHOP_PASSWORD: "shop-secret" });
    assert.deepEqual(config.databaseAccounts?.get("aurora-prod/shop"), { user: "sluice_shop", password: "shop-secret" });
    const unset = errorOf(() => loadConfig({ SLUICE_CONFIG: writeConfig(own), SLUICE_PROD_PASSWORD: "instance-secret" }));
    assert.match(unset.message, /projects\[0\]\.databases\[0\]\.passwordEnv: environment variable SLUICE_SHOP_PASSWORD is not set/);
    const inFile = errorOf(() => parseConfigFile(valid.replace("environment: Prod }", "environment: Prod, password: hunter2 }"), "sluice.yml"));
    assert.doesNotMatch(inFile.message, /hunter2/);
    assert.match(inFile.message, /password/);
  });

  test("the shipped example configuration is valid", () => {
    const config = loadConfig({
      SLUICE_CONFIG: join(repoRoot, "sluice.example.yml"),
      SLUICE_TEST_MYSQL_PASSWORD: "x",
      SLUICE_PROD_MYSQL_PASSWORD: "x",
      SLUICE_PROD_PG_PASSWORD: "x",
      SLUICE_SHOP_PROD_PASSWORD: "x",
    });
    assert.ok(config.file.instances.some((i) => i.engine === "postgres"));
    assert.ok(config.file.environments.some((e) => e.name === "Prod"));
  });
});

describe("environment settings", () => {
  test("defaults: port 3000, embedded store in ./.sluice", () => {
    const settings = loadSettings({});
    assert.equal(settings.port, 3000);
    assert.equal(settings.databaseUrl, undefined);
    assert.match(settings.dataDir, /\.sluice$/);
  });

  test("a bot token without a signing secret or app token is refused", () => {
    assert.throws(() => loadSettings({ SLACK_BOT_TOKEN: "xoxb-1" }), /SLACK_SIGNING_SECRET is required/);
  });

  test("attached files are read only from Slack's file hosts over HTTPS: files.slack.com, or the ones SLACK_FILE_HOSTS names", () => {
    assert.deepEqual(loadSettings({}).slack.fileOrigins, ["https://files.slack.com"]);
    assert.deepEqual(loadSettings({ SLACK_FILE_HOSTS: "files.slack-gov.com, Files.Slack.com" }).slack.fileOrigins, ["https://files.slack-gov.com", "https://files.slack.com"]);
    for (const loose of ["https://files.slack.com", "files.slack.com:8443", "*.slack.com", "files.slack.com/path", "localhost", "files.slack.com,,x.com"]) {
      assert.throws(() => loadSettings({ SLACK_FILE_HOSTS: loose }), /environment: SLACK_FILE_HOSTS: must be host names separated by commas/, loose);
    }
  });

  test("a malformed DATABASE_URL is refused without echoing it", () => {
    const error = errorOf(() => loadSettings({ DATABASE_URL: "not a url with password hunter2" }));
    assert.match(error.message, /DATABASE_URL/);
    assert.doesNotMatch(error.message, /hunter2/);
  });
  test("rollback.mysqlMethod is validated, and the backup database cannot be a project's database", () => {
    const method = errorOf(() => parseConfigFile(`${valid}rollback: { mysqlMethod: flashback }\n`, "sluice.yml"));
    assert.match(method.message, /sluice\.yml: rollback\.mysqlMethod: /);
    const clash = errorOf(() => parseConfigFile(`${valid.replace("name: shop", "name: keep_it")}rollback: { mysqlBackupDatabase: keep_it }\n`, "sluice.yml"));
    assert.match(clash.message, /"keep_it" is rollback\.mysqlBackupDatabase, where Sluice keeps its backups/);
    const file = parseConfigFile(valid, "sluice.yml");
    assert.deepEqual([file.rollback.mysqlMethod, file.rollback.mysqlBackupDatabase], ["auto", "sluice_backup"]);
  });
});
