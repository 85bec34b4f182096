// `/db newdb [<name>]`: creates a database through the change workflow and registers it in a project.
import { environmentsServedBy } from "../../projects/registry.ts";
import { newDatabaseModal, type NewDatabaseTarget } from "../blocks/change-modal.ts";
import { mrkdwn, slackMessage } from "../blocks/text.ts";
import type { SluiceServices } from "../services.ts";
import type { Subcommand } from "./subcommand.ts";

/** Every instance · environment · project a database can be created in: only the instance/environment pairs sluice.yml allows (a Test database is never offered on a Prod-only instance). */
export function newDatabaseTargets(services: SluiceServices): NewDatabaseTarget[] {
  const { file } = services.config;
  return file.projects.flatMap((project) =>
    file.instances.flatMap((instance) => environmentsServedBy(file, instance).map((environment) => ({ instance: instance.name, environment, project: project.key }))),
  );
}

export const newdb: Subcommand = {
  name: "newdb",
  usage: "/db newdb [<name>]",
  summary: "Creates a database (CREATE DATABASE) on an instance, through review and approval, and registers it in the project.",
  examples: ["/db newdb db_demo"],
  async handle({ args, command, client, services }) {
    const targets = newDatabaseTargets(services);
    if (targets.length === 0) {
      await client.chat.postEphemeral({
        channel: command.channel_id,
        user: command.user_id,
        ...slackMessage(mrkdwn`sluice.yml has no project, or no instance that serves an environment (instances[].environments): add one to create databases.`),
      });
      return;
    }
    await client.views.open({ trigger_id: command.trigger_id, view: newDatabaseModal(targets, command.channel_id, args.split(/\s+/)[0] || undefined) });
  },
};
