// The one door configuration enters by: environment variables and sluice.yml, validated together at start-up.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { SluiceError } from "../errors.ts";
import { configSchema, type SluiceConfigFile } from "./schema.ts";
import { reviewRules, unknownRuleIds } from "../review/index.ts";

export class ConfigError extends SluiceError {}

export interface SlackSettings {
  botToken?: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  /** Origins of Slack's file hosts, the only places the bot token is sent to download a file a user attached. */
  fileOrigins: string[];
}

export interface Settings {
  configPath: string;
  port: number;
  logLevel: string;
  /** Unset means the embedded store in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  slack: SlackSettings;
}

export interface Config {
  settings: Settings;
  file: SluiceConfigFile;
  /** Instance passwords resolved from their environment variables, by instance name. */
  passwords: ReadonlyMap<string, string>;
  /** Accounts of databases that name their own (`user`/`passwordEnv`), by `instance/database`; none when absent. */
  databaseAccounts?: ReadonlyMap<string, DatabaseAccount>;
}

export interface DatabaseAccount {
  user: string;
  password: string;
}

/** Commercial Slack's file host; GovSlack and other Slack deployments set SLACK_FILE_HOSTS to theirs. */
const SLACK_FILE_HOSTS = "files.slack.com";
/** A DNS name of two labels or more: no scheme, port, path or wildcard, so a file host cannot be given loosely. */
const HOST_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

const settingsSchema = z.object({
  SLUICE_CONFIG: z.string().default("./sluice.yml"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_URL: z.string().url("must be a postgres:// URL").optional(),
  SLUICE_DATA_DIR: z.string().default("./.sluice"),
  SLACK_BOT_TOKEN: z.string().startsWith("xoxb-", "must be a bot token (xoxb-…)").optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().startsWith("xapp-", "must be an app-level token (xapp-…)").optional(),
  SLACK_API_URL: z.string().url().optional(),
  SLACK_FILE_HOSTS: z
    .string()
    .default(SLACK_FILE_HOSTS)
    .transform((text) => text.split(",").map((host) => host.trim().toLowerCase()))
    .refine((hosts) => hosts.every((host) => HOST_NAME.test(host)), "must be host names separated by commas, such as files.slack.com,files.slack-gov.com"),
});

function describeIssues(source: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${source}: ${formatPath(issue.path) || "(top level)"}: ${issue.message}`).join("\n");
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), "");
}

export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const nonEmpty = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = settingsSchema.safeParse(nonEmpty);
  if (!parsed.success) throw new ConfigError(describeIssues("environment", parsed.error.issues));
  const s = parsed.data;
  if (s.SLACK_BOT_TOKEN && !s.SLACK_SIGNING_SECRET && !s.SLACK_APP_TOKEN) {
    throw new ConfigError("environment: SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)");
  }
  if (!s.SLACK_BOT_TOKEN && s.SLACK_APP_TOKEN) {
    throw new ConfigError("environment: SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not; Socket Mode needs both");
  }
  return {
    configPath: resolve(s.SLUICE_CONFIG),
    port: s.PORT,
    logLevel: s.LOG_LEVEL,
    databaseUrl: s.DATABASE_URL,
    dataDir: resolve(s.SLUICE_DATA_DIR),
    slack: {
      botToken: s.SLACK_BOT_TOKEN,
      signingSecret: s.SLACK_SIGNING_SECRET,
      appToken: s.SLACK_APP_TOKEN,
      apiUrl: s.SLACK_API_URL,
      // Over HTTPS only: the token never travels in the clear.
      fileOrigins: s.SLACK_FILE_HOSTS.map((host) => `https://${host}`),
    },
  };
}

/** Parses and cross-checks sluice.yml text. `source` names the file in every error. */
export function parseConfigFile(text: string, source: string): SluiceConfigFile {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(document.errors.map((e) => `${source}: ${e.message}`).join("\n"));
  }
  const parsed = configSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) throw new ConfigError(describeIssues(source, parsed.error.issues));
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${source}: ${p}`).join("\n"));
  return parsed.data;
}

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

function crossReferenceProblems(file: SluiceConfigFile): string[] {
  const problems: string[] = [];
  const environments = file.environments.map((e) => e.name);
  const instances = file.instances.map((i) => i.name);
  for (const name of duplicates(environments)) problems.push(`environments: "${name}" is defined twice`);
  for (const name of duplicates(instances)) problems.push(`instances: "${name}" is defined twice`);
  for (const key of duplicates(file.projects.map((p) => p.key))) problems.push(`projects: key "${key}" is used twice`);
  for (const id of unknownRuleIds(reviewRules, file.review)) problems.push(`review: unknown rule "${id}" (see the rule list in docs/review.md)`);
  file.instances.forEach((instance, i) => {
    for (const name of instance.environments ?? []) {
      if (!environments.includes(name)) problems.push(`instances[${i}].environments: unknown environment "${name}" (defined: ${environments.join(", ")})`);
    }
  });
  const seen = new Map<string, string>();
  file.projects.forEach((project, p) => {
    project.databases.forEach((database, d) => {
      const at = `projects[${p}].databases[${d}]`;
      if (!instances.includes(database.instance)) {
        problems.push(`${at}.instance: unknown instance "${database.instance}" (defined: ${instances.join(", ") || "none"})`);
      }
      if (!environments.includes(database.environment)) {
        problems.push(`${at}.environment: unknown environment "${database.environment}" (defined: ${environments.join(", ")})`);
      }
      const instance = file.instances.find((candidate) => candidate.name === database.instance);
      if (instance?.environments && !instance.environments.includes(database.environment)) {
        problems.push(`${at}.environment: instance "${instance.name}" serves ${instance.environments.join(", ")} only, not ${database.environment} (its instances[].environments)`);
      }
      const engine = instance?.engine;
      if (engine === "mysql" && database.name.toLowerCase() === file.rollback.mysqlBackupDatabase.toLowerCase()) {
        problems.push(`${at}.name: "${database.name}" is rollback.mysqlBackupDatabase, where Sluice keeps its backups; it cannot be a project's database`);
      }
      const where = `${database.instance}/${database.name}`;
      const owner = seen.get(where);
      if (owner) problems.push(`${at}: database "${where}" is already listed at ${owner}`);
      seen.set(where, at);
    });
  });
  return problems;
}

function resolvePasswords(file: SluiceConfigFile, env: NodeJS.ProcessEnv, source: string): Pick<Config, "passwords" | "databaseAccounts"> {
  const passwords = new Map<string, string>();
  const databaseAccounts = new Map<string, DatabaseAccount>();
  const missing: string[] = [];
  file.instances.forEach((instance, i) => {
    if (!instance.passwordEnv) {
      passwords.set(instance.name, "");
      return;
    }
    const value = env[instance.passwordEnv];
    if (value === undefined) missing.push(`${source}: instances[${i}].passwordEnv: environment variable ${instance.passwordEnv} is not set`);
    else passwords.set(instance.name, value);
  });
  file.projects.forEach((project, p) => {
    project.databases.forEach((database, d) => {
      if (!database.user && !database.passwordEnv) return;
      const instance = file.instances.find((candidate) => candidate.name === database.instance)!;
      const password = database.passwordEnv ? env[database.passwordEnv] : "";
      if (password === undefined) {
        missing.push(`${source}: projects[${p}].databases[${d}].passwordEnv: environment variable ${database.passwordEnv} is not set`);
        return;
      }
      databaseAccounts.set(`${database.instance}/${database.name}`, { user: database.user ?? instance.user, password });
    });
  });
  if (missing.length > 0) throw new ConfigError(missing.join("\n"));
  return { passwords, databaseAccounts };
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const settings = loadSettings(env);
  let text: string;
  try {
    text = readFileSync(settings.configPath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "ENOENT"
        ? `${settings.configPath}: file not found; copy sluice.example.yml to sluice.yml or set SLUICE_CONFIG`
        : `${settings.configPath}: cannot be read (${code ?? String(error)})`,
    );
  }
  const file = parseConfigFile(text, settings.configPath);
  return { settings, file, ...resolvePasswords(file, env, settings.configPath) };
}
