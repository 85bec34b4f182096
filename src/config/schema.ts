// The shape of sluice.yml. Validated once at start-up; everything else receives the parsed result.
import { z } from "zod";
import { defaultReviewConfig, reviewConfigSchema } from "../review/config.ts";

const slackId = (what: string, prefix: RegExp) =>
  z.string().regex(prefix, `must be a Slack ${what} ID (e.g. ${what === "user" ? "U012ABCDEF" : what === "user group" ? "S012ABCDEF" : "C012ABCDEF"})`);

export const environmentSchema = z
  .object({
    name: z.string().min(1),
    /** Which built-in review defaults apply: test (lenient) or prod (strict). */
    tier: z.enum(["test", "prod"]).default("test"),
    autoApprove: z.boolean().default(false),
    approvers: z
      .object({
        users: z.array(slackId("user", /^[UW][A-Z0-9]+$/)).default([]),
        groups: z.array(slackId("user group", /^S[A-Z0-9]+$/)).default([]),
      })
      .strict()
      .default({ users: [], groups: [] }),
    allowSelfApproval: z.boolean().default(false),
    drift: z
      .object({
        /**
         * What an open drift (the live schema differs from Sluice's last snapshot) does to a schema change: `block` holds
         * it until the drift is resolved, `warn` only says so on the change, `off` does not look.
         */
        gate: z.enum(["block", "warn", "off"]).default("block"),
      })
      .strict()
      .default({ gate: "block" }),
  })
  .strict();

const passwordEnvSchema = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must name an environment variable, e.g. SLUICE_PROD_MYSQL_PASSWORD");

export const instanceSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, "may contain letters, digits, '.', '_' and '-' only"),
    engine: z.enum(["mysql", "postgres"]),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).optional(),
    user: z.string().min(1),
    /** Name of the environment variable that holds the password; the password itself never goes in the file. */
    passwordEnv: passwordEnvSchema.optional(),
    /**
     * The environments whose databases this instance may hold: `/db newdb` offers only these, and a database listed
     * under a project must be in one of them. Omitted: the environments of the databases listed on it.
     */
    environments: z.array(z.string().min(1)).min(1, "name at least one environment, or leave the field out").optional(),
    tls: z
      .object({
        enabled: z.boolean().default(true),
        caPath: z.string().optional(),
        rejectUnauthorized: z.boolean().default(true),
      })
      .strict()
      .optional(),
  })
  .strict();

export const databaseSchema = z
  .object({
    name: z.string().min(1),
    instance: z.string().min(1),
    environment: z.string().min(1),
    /**
     * The account Sluice uses for this database instead of the instance's (least privilege: an account per
     * environment that can reach only its own databases). Omitted: the instance's user.
     */
    user: z.string().min(1).optional(),
    /** The environment variable that holds that account's password. With `user` and no `passwordEnv`: no password. */
    passwordEnv: passwordEnvSchema.optional(),
  })
  .strict();

export const projectSchema = z
  .object({
    key: z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, "must be 2-10 upper-case letters or digits, starting with a letter (e.g. TAR)"),
    name: z.string().min(1),
    channel: slackId("channel", /^[CG][A-Z0-9]+$/),
    databases: z.array(databaseSchema).default([]),
  })
  .strict();

/** Column-name patterns (case-insensitive regular expressions) whose values `/db query` masks by default. */
export const DEFAULT_SENSITIVE_PATTERNS = ["email", "phone", "ssn", "password", "passwd", "secret", "token", "api_?key", "credit_?card", "card_?number"];

/** 10 MB. */
export const DEFAULT_MAX_RESULT_BYTES = 10 * 1024 * 1024;

const maskingDefaults = { patterns: DEFAULT_SENSITIVE_PATTERNS, columns: [], approversSeeUnmasked: false };

export const maskingSchema = z
  .object({
    /** Any column whose name matches one of these is sensitive, in every table. */
    patterns: z
      .array(
        z.string().refine((pattern) => {
          try {
            new RegExp(pattern, "i");
            return true;
          } catch {
            return false;
          }
        }, "must be a valid regular expression"),
      )
      .default(DEFAULT_SENSITIVE_PATTERNS),
    /** Sensitive columns named one by one; database and table omitted match any. */
    columns: z
      .array(z.object({ database: z.string().min(1).optional(), table: z.string().min(1).optional(), column: z.string().min(1) }).strict())
      .default([]),
    approversSeeUnmasked: z.boolean().default(false),
  })
  .strict();

export const configSchema = z
  .object({
    environments: z.array(environmentSchema).min(1, "define at least one environment"),
    instances: z.array(instanceSchema).default([]),
    projects: z.array(projectSchema).default([]),
    drift: z
      .object({
        schedule: z.string().default("*/10 * * * *"),
        channel: slackId("channel", /^[CG][A-Z0-9]+$/).optional(),
        enabled: z.boolean().default(true),
      })
      .strict()
      .default({ schedule: "*/10 * * * *", enabled: true }),
    execution: z
      .object({
        statementTimeoutSeconds: z.number().int().min(0).default(600),
        lockTimeoutSeconds: z.number().int().min(1).default(10),
        connectTimeoutSeconds: z.number().int().min(1).default(10),
        maxStatements: z.number().int().min(1).default(1000),
        maxScriptBytes: z.number().int().min(1).default(1_000_000),
      })
      .strict()
      .default({ statementTimeoutSeconds: 600, lockTimeoutSeconds: 10, connectTimeoutSeconds: 10, maxStatements: 1000, maxScriptBytes: 1_000_000 }),
    query: z
      .object({
        rowLimit: z.number().int().min(1).default(1000),
        timeoutSeconds: z.number().int().min(1).default(10),
        /** Most bytes of values a `/db query` result may bring into memory; past it the result is cut, and says so. */
        maxResultBytes: z.number().int().min(1024).default(DEFAULT_MAX_RESULT_BYTES),
        masking: maskingSchema.default(maskingDefaults),
      })
      .strict()
      .default({ rowLimit: 1000, timeoutSeconds: 10, maxResultBytes: DEFAULT_MAX_RESULT_BYTES, masking: maskingDefaults }),
    rollback: z
      .object({
        /** Most rows a rollback is prepared for; larger data changes run without one, and say so. */
        rowLimit: z.number().int().min(1).default(100_000),
        /** Days prior backups are kept: PostgreSQL's tables in schema sluice_backup, MySQL's in mysqlBackupDatabase. */
        backupRetentionDays: z.number().int().min(1).default(7),
        /**
         * How a MySQL/MariaDB data change is recorded: from its own binlog events, from a backup of the rows each
         * UPDATE/DELETE selects just before it runs, or (auto) the binlog where it can be read and a backup elsewhere.
         */
        mysqlMethod: z.enum(["auto", "binlog", "backup"]).default("auto"),
        /** The database of Sluice's own, on each MySQL instance, that holds the prior backups (created when first needed). */
        mysqlBackupDatabase: z
          .string()
          .regex(/^[A-Za-z0-9_]{1,64}$/, "must be a database name of letters, digits and '_' (at most 64)")
          .default("sluice_backup"),
      })
      .strict()
      .default({ rowLimit: 100_000, backupRetentionDays: 7, mysqlMethod: "auto", mysqlBackupDatabase: "sluice_backup" }),
    health: z
      .object({
        /** How old the probe /healthz answers from may be: each instance is probed at most once per this. */
        probeIntervalSeconds: z.number().int().min(1).max(3600).default(5),
      })
      .strict()
      .default({ probeIntervalSeconds: 5 }),
    delivery: z
      .object({
        /**
         * What Slack is told is kept in the store until Slack has it (the outbox). One that fails is tried again after
         * 1 s, 2 s, 4 s … up to this many seconds apart; every replica also sweeps for undelivered ones this often.
         */
        maxRetrySeconds: z.number().int().min(1).max(3600).default(30),
      })
      .strict()
      .default({ maxRetrySeconds: 30 }),
    review: reviewConfigSchema.default(defaultReviewConfig),
  })
  .strict();

export type SluiceConfigFile = z.infer<typeof configSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type InstanceConfig = z.infer<typeof instanceSchema>;
export type ProjectConfig = z.infer<typeof projectSchema>;
export type DatabaseConfig = z.infer<typeof databaseSchema>;
export type MaskingConfig = z.infer<typeof maskingSchema>;
export type RollbackConfig = SluiceConfigFile["rollback"];
