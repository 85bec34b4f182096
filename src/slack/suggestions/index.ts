// The options of the type-ahead selects (external_select), answered as the user types: lists that can be longer
// than Slack's 100 options (databases, where to create a database, a database's tables). Each is routed by the
// block_id of its select.
import type { SlackListeners } from "../router.ts";
import type { SluiceServices } from "../services.ts";
import { CHANGE_FIELDS, NEWDB_FIELDS, newDatabaseChoices } from "../blocks/change-modal.ts";
import { databaseChoices, matchingOptions, type Choice } from "../blocks/choice-select.ts";
import { SCHEMA_PICKER_TABLE } from "../blocks/schema.ts";
import { newDatabaseTargets } from "../commands/newdb.ts";
import { schemaEditorFor } from "../views/schema.ts";

export function registerSuggestions(app: SlackListeners, services: SluiceServices): void {
  const answer = (blockId: string, choices: (privateMetadata: string) => Promise<Choice[]> | Choice[]) =>
    app.suggestions(blockId, async ({ ack, payload, body }) => {
      const view = (body as { view?: { private_metadata?: string } }).view;
      try {
        await ack({ options: matchingOptions(await choices(view?.private_metadata ?? "{}"), payload.value) });
      } catch (error) {
        services.logger.warn({ err: error, block: blockId, user: body.user.id }, "could not list the options of a select");
        await ack({ options: [] });
      }
    });

  // The change, review and query forms name their database block alike: one list serves them all.
  answer(CHANGE_FIELDS.database, () => databaseChoices(services.registry.databases));
  answer(NEWDB_FIELDS.target, () => newDatabaseChoices(newDatabaseTargets(services)));
  answer(SCHEMA_PICKER_TABLE, async (metadata) => {
    const { database } = JSON.parse(metadata) as { database: string };
    const { tables } = await schemaEditorFor(services).editor.listTables(database);
    return tables.map((name) => ({ text: name, value: name }));
  });
}
