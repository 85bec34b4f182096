// The schema editor's buttons and menus: open it from a message, page and filter columns, push the forms, drop, undo.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, ViewOutput } from "@slack/bolt";
import type { EditorState } from "../../schema-editor/editor-state.ts";
import { SCHEMA_ACTIONS, columnFormView, dropColumnConfirmView, indexFormView, schemaFailureView, schemaLoadingView, tablePickerView } from "../blocks/schema.ts";
import { userMessageFor } from "../reply-error.ts";
import type { SlackListeners } from "../router.ts";
import type { SluiceServices } from "../services.ts";
import { editorView, schemaEditorFor, withTypedInputs, type SchemaEditorContext } from "../views/schema.ts";

type Client = AllMiddlewareArgs["client"];
type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Opens the modal at once (the trigger lasts 3 seconds), then fills it from the live schema. */
export async function openSchemaEditor(context: SchemaEditorContext, client: Client, triggerId: string, databaseLabel: string, table?: string): Promise<void> {
  const label = context.editor.database(databaseLabel).label;
  const opened = await client.views.open({ trigger_id: triggerId, view: schemaLoadingView(label) });
  const viewId = opened.view!.id!;
  try {
    const view = table
      ? await editorView(context, { database: label, table, isNew: false, edits: [], page: 0, filter: "", description: "" })
      : await context.editor.listTables(label).then(({ database, tables }) => tablePickerView(database.label, tables));
    await client.views.update({ view_id: viewId, view });
  } catch (error) {
    await client.views.update({ view_id: viewId, view: schemaFailureView(label, userMessageFor(error)) });
    throw error;
  }
}

function actionValue(args: ActionArgs): string {
  const action = args.action as { value?: string; selected_option?: { value: string } };
  return action.selected_option?.value ?? action.value ?? "";
}

export function registerSchemaActions(app: SlackListeners, services: SluiceServices): void {
  const context = schemaEditorFor(services);
  const { logger } = services;

  app.action<BlockAction>(SCHEMA_ACTIONS.open, async (args) => {
    await args.ack();
    try {
      await openSchemaEditor(context, args.client, args.body.trigger_id, actionValue(args));
    } catch (error) {
      logger.warn({ err: error, user: args.body.user.id }, "schema editor could not open");
    }
  });

  /** Runs an editor action: reads the state and what was typed, changes it, and shows the result in place or pushed. */
  const onEditor = (actionId: string | RegExp, change: (state: EditorState, value: string, view: ViewOutput) => Promise<{ update?: EditorState; push?: (metadata: string) => Promise<object> }>) =>
    app.action<BlockAction>(actionId, async (args) => {
      await args.ack();
      const view = args.body.view as ViewOutput | undefined;
      if (!view) return;
      try {
        const state = await withTypedInputs(context, context.pending.decode(view.private_metadata), view);
        const outcome = await change(state, actionValue(args), view);
        if (outcome.push) {
          const pushed = await outcome.push(context.pending.encode({ ...state, parentViewId: view.id }));
          await args.client.views.push({ trigger_id: args.body.trigger_id, view: pushed as never });
        }
        if (outcome.update) await args.client.views.update({ view_id: view.id, hash: view.hash, view: await editorView(context, outcome.update) });
      } catch (error) {
        logger.warn({ err: error, user: args.body.user.id, action: args.body.actions[0]?.action_id }, "schema editor action failed");
        await args.client.views.update({ view_id: view.id, view: schemaFailureView("", userMessageFor(error)) }).catch(() => undefined);
      }
    });

  onEditor(new RegExp(`^${SCHEMA_ACTIONS.page}_`), async (state, value) => ({ update: { ...state, page: Number(value) || 0 } }));
  onEditor(SCHEMA_ACTIONS.filter, async (state, value) => ({ update: { ...state, filter: value, page: 0 } }));
  onEditor(SCHEMA_ACTIONS.undo, async (state) => ({ update: { ...state, edits: state.edits.slice(0, -1) } }));
  onEditor(SCHEMA_ACTIONS.dropIndex, async (state, value) => {
    const { draft } = await context.editor.open(state);
    const index = draft.indexes[Number(value)];
    return index ? { update: { ...state, edits: [...state.edits, { op: "drop-index", name: index.name }] } } : {};
  });
  onEditor(SCHEMA_ACTIONS.columnMenu, async (state, value) => {
    const [verb, position] = value.split(":");
    const opened = await context.editor.open(state);
    const column = opened.draft.columns[Number(position)];
    if (!column) return {};
    const withColumn = (metadata: string) => context.pending.encode({ ...context.pending.decode(metadata), column: column.name });
    if (verb === "drop") return { push: async (metadata) => dropColumnConfirmView(opened.draft.name, column.name, withColumn(metadata)) };
    return {
      push: async (metadata) => {
        return columnFormView({ dialect: opened.dialect, column, live: column.original !== undefined, metadata: withColumn(metadata) });
      },
    };
  });
  onEditor(SCHEMA_ACTIONS.addColumn, async (state) => {
    const opened = await context.editor.open(state);
    return { push: async (metadata) => columnFormView({ dialect: opened.dialect, live: false, columns: opened.draft.columns.map((column) => column.name), metadata }) };
  });
  onEditor(SCHEMA_ACTIONS.addIndex, async () => ({ push: async (metadata) => indexFormView(metadata) }));
}
