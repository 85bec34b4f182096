// `/db schema <database> [table]`: opens the schema editor on a configured database.
import { SluiceError } from "../../errors.ts";
import { openSchemaEditor } from "../actions/schema.ts";
import { schemaEditorFor } from "../views/schema.ts";
import type { Subcommand } from "./subcommand.ts";

export class SchemaUsageError extends SluiceError {}

export const schema: Subcommand = {
  name: "schema",
  usage: "/db schema <database> [table]",
  summary: "Opens the schema editor: pick a table (or a new one), change columns and indexes, preview the DDL and submit it as a schema change.",
  examples: ["/db schema {database}", "/db schema {database} t1"],
  async handle({ args, command, client, services }) {
    const [database, table] = args.split(/\s+/).filter(Boolean);
    if (!database) throw new SchemaUsageError("Name the database: /db schema <database> [table].");
    await openSchemaEditor(schemaEditorFor(services), client, command.trigger_id, database, table);
  },
};
