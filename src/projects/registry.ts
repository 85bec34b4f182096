// The configured world — environments, instances, projects and their databases — mirrored into the store
// at start-up so history rows can point at them, and looked up by the names people type in Slack.
import type { PrismaClient } from "../store/generated/client.ts";
import type { Config } from "../config/load.ts";
import type { EnvironmentConfig, InstanceConfig, ProjectConfig, SluiceConfigFile } from "../config/schema.ts";
import type { ConnectionTarget } from "../engines/engine.ts";
import { SluiceError } from "../errors.ts";

export class UnknownDatabaseError extends SluiceError {}

export interface RegisteredDatabase {
  id: number;
  name: string;
  /** What people type: the bare name, or `instance/name` when the bare name is ambiguous. */
  label: string;
  instance: InstanceConfig & { id: number };
  environment: EnvironmentConfig & { id: number };
  project: ProjectConfig & { id: number };
}

export class Registry {
  private constructor(
    private readonly config: Config,
    readonly databases: RegisteredDatabase[],
  ) {}

  /** Upserts the configured catalog into the store and returns the lookup over it. */
  static async sync(prisma: PrismaClient, config: Config): Promise<Registry> {
    const environmentIds = new Map<string, number>();
    for (const environment of config.file.environments) {
      const row = await prisma.environment.upsert({
        where: { name: environment.name },
        create: { name: environment.name, autoApprove: environment.autoApprove, allowSelfApproval: environment.allowSelfApproval },
        update: { autoApprove: environment.autoApprove, allowSelfApproval: environment.allowSelfApproval },
      });
      environmentIds.set(environment.name, row.id);
    }
    const instanceIds = new Map<string, number>();
    for (const instance of config.file.instances) {
      const port = instancePort(instance);
      const row = await prisma.instance.upsert({
        where: { name: instance.name },
        create: { name: instance.name, engine: instance.engine, host: instance.host, port },
        update: { engine: instance.engine, host: instance.host, port },
      });
      instanceIds.set(instance.name, row.id);
    }
    for (const project of config.file.projects) {
      const projectRow = await prisma.project.upsert({
        where: { key: project.key },
        create: { key: project.key, name: project.name, slackChannel: project.channel },
        update: { name: project.name, slackChannel: project.channel },
      });
      for (const database of project.databases) {
        const instanceId = instanceIds.get(database.instance)!;
        const environmentId = environmentIds.get(database.environment)!;
        await prisma.database.upsert({
          where: { instanceId_name: { instanceId, name: database.name } },
          create: { name: database.name, instanceId, environmentId, projectId: projectRow.id },
          update: { environmentId, projectId: projectRow.id, pending: false },
        });
      }
    }
    const registry = new Registry(config, []);
    await registry.reload(prisma);
    return registry;
  }

  /**
   * Reads every ready database from the store: those in sluice.yml and those created through Sluice
   * (`/db newdb`), as long as their instance, environment and project are still configured.
   */
  async reload(prisma: PrismaClient): Promise<void> {
    const rows = await prisma.database.findMany({
      where: { pending: false },
      include: { instance: true, environment: true, project: true },
      orderBy: { id: "asc" },
    });
    const file = this.config.file;
    const databases: RegisteredDatabase[] = [];
    for (const row of rows) {
      const instance = file.instances.find((i) => i.name === row.instance.name);
      const environment = file.environments.find((e) => e.name === row.environment.name);
      const project = file.projects.find((p) => p.key === row.project.key);
      if (!instance || !environment || !project) continue;
      databases.push({
        id: row.id,
        name: row.name,
        label: row.name,
        instance: { ...instance, id: row.instanceId },
        environment: { ...environment, id: row.environmentId },
        project: { ...project, id: row.projectId },
      });
    }
    for (const database of databases) {
      if (databases.filter((other) => other.name === database.name).length > 1) database.label = `${database.instance.name}/${database.name}`;
    }
    this.databases.splice(0, this.databases.length, ...databases);
  }

  /** Finds a database by what a person typed: its label, or its bare name when that is unique. */
  find(typed: string): RegisteredDatabase {
    const wanted = typed.trim();
    const known = this.databases.map((d) => d.label).join(", ") || "none configured";
    if (wanted === "") throw new UnknownDatabaseError(`Choose a database: ${known}.`);
    const match = this.databases.find((d) => d.label === wanted) ?? this.databases.filter((d) => d.name === wanted);
    if (!Array.isArray(match)) return match;
    if (match.length === 1) return match[0]!;
    if (match.length > 1) {
      throw new UnknownDatabaseError(`"${wanted}" is on several instances; name it as ${match.map((d) => d.label).join(" or ")}.`);
    }
    throw new UnknownDatabaseError(`Unknown database "${wanted}". Known databases: ${known}.`);
  }

  byId(id: number): RegisteredDatabase | undefined {
    return this.databases.find((d) => d.id === id);
  }

  /**
   * Where to connect for an instance; `database` omitted means the server itself. A database opens as the session's
   * default database, with its own account when sluice.yml gives it one.
   */
  target(instance: InstanceConfig, database?: string): ConnectionTarget {
    const account = database === undefined ? undefined : this.config.databaseAccounts?.get(`${instance.name}/${database}`);
    return {
      host: instance.host,
      port: instancePort(instance),
      user: account?.user ?? instance.user,
      password: account?.password ?? this.config.passwords.get(instance.name) ?? "",
      database,
      tls: instance.tls?.enabled ? { caPath: instance.tls.caPath, rejectUnauthorized: instance.tls.rejectUnauthorized } : false,
      connectTimeoutMs: this.config.file.execution.connectTimeoutSeconds * 1000,
    };
  }
}

/**
 * The environments an instance serves: those sluice.yml names for it, else those of the databases listed on it. `/db
 * newdb` creates a database of an environment only on an instance that serves it.
 */
export function environmentsServedBy(file: SluiceConfigFile, instance: InstanceConfig): string[] {
  if (instance.environments) return instance.environments;
  const listed = file.projects.flatMap((project) => project.databases.filter((database) => database.instance === instance.name).map((database) => database.environment));
  return file.environments.map((environment) => environment.name).filter((name) => listed.includes(name));
}

export function instancePort(instance: InstanceConfig): number {
  return instance.port ?? (instance.engine === "mysql" ? 3306 : 5432);
}
