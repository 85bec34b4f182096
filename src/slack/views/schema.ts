// The schema editor's modals: what each submission does, and how the editor view is rebuilt from its state.
import type { AllMiddlewareArgs, ViewOutput } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { columnEditFromForm, indexEditFromForm } from "../../schema-editor/draft.ts";
import { SchemaEditor } from "../../schema-editor/editor.ts";
import { PendingEditStore, withPrimaryKey, type EditorState } from "../../schema-editor/editor-state.ts";
import { SchemaEditError, type EditorField } from "../../schema-editor/errors.ts";
import { SluiceError } from "../../errors.ts";
import { userMessageFor } from "../reply-error.ts";
import {
  SCHEMA_ACTIONS,
  SCHEMA_CALLBACKS,
  fieldErrors,
  schemaFailureView,
  schemaPreviewView,
  tableEditorView,
} from "../blocks/schema.ts";
import type { SlackListeners } from "../router.ts";
import type { SluiceServices } from "../services.ts";
import { submitSchemaChange } from "./schema-submit.ts";

export interface SchemaEditorContext {
  editor: SchemaEditor;
  pending: PendingEditStore;
}

const contexts = new WeakMap<SluiceServices, SchemaEditorContext>();

/** One editor and one pending-edit store per running Sluice, shared by the command, the actions and the views. */
export function schemaEditorFor(services: SluiceServices): SchemaEditorContext {
  let context = contexts.get(services);
  if (!context) {
    context = { editor: new SchemaEditor(services.registry, services.config.file.review), pending: new PendingEditStore() };
    contexts.set(services, context);
  }
  return context;
}

type StateValues = ViewOutput["state"]["values"];

/**
 * What the user typed into the editor view itself (description, filter, primary key), carried into the state so a
 * re-render never loses it. The key select offers only this page's columns and the key's own; key columns it
 * does not offer stay in the key.
 */
export async function withTypedInputs(context: SchemaEditorContext, state: EditorState, view: ViewOutput): Promise<EditorState> {
  const values = view.state?.values as StateValues | undefined;
  if (!values) return state;
  const next = { ...state };
  if (values.description) next.description = values.description.description?.value ?? "";
  if (values.filter) next.filter = values.filter[SCHEMA_ACTIONS.filter]?.value ?? "";
  if (values.primary_key) {
    const chosen = selected(values, "primary_key");
    const keyBlock = (view.blocks as Array<{ block_id?: string; element?: { options?: Array<{ value: string }> } }>).find((block) => block.block_id === "primary_key");
    const offered = new Set((keyBlock?.element?.options ?? []).map((option) => option.value));
    const { draft } = await context.editor.open(state);
    const key = [...draft.primaryKey.filter((name) => !offered.has(name)), ...chosen];
    if (key.join("\0") !== draft.primaryKey.join("\0")) next.edits = withPrimaryKey(state.edits, key);
  }
  return next;
}

export async function editorView(context: SchemaEditorContext, state: EditorState): Promise<ModalView> {
  const opened = await context.editor.open(state);
  return tableEditorView({
    databaseLabel: opened.database.label,
    dialect: opened.dialect,
    base: opened.base,
    draft: opened.draft,
    page: state.page,
    filter: state.filter,
    description: state.description,
    pendingCount: state.edits.length,
    metadata: context.pending.encode(state),
  });
}

function editorBlockFor(state: EditorState, hasKeyInput: boolean): (field: EditorField) => string {
  return (field) => {
    if (field === "table" && state.isNew) return "description";
    if (field === "primary_key" && hasKeyInput) return "primary_key";
    return "description";
  };
}

const COLUMN_BLOCKS: Partial<Record<EditorField, string>> = { name: "name", type: "type_custom", default: "default", comment: "comment", nullable: "nullable", identity: "identity", position: "position" };

function selected(values: StateValues, block: string): string[] {
  return (values[block]?.[block]?.selected_options ?? []).map((option) => option.value);
}

export function registerSchemaViews(app: SlackListeners, services: SluiceServices): void {
  const context = schemaEditorFor(services);
  const { logger } = services;

  app.view(SCHEMA_CALLBACKS.pick, async ({ ack, view }) => {
    const { database } = JSON.parse(view.private_metadata) as { database: string };
    const picked = view.state.values.table?.table?.selected_option?.value;
    const typed = view.state.values.new_table?.new_table?.value?.trim();
    if (!picked && !typed) {
      await ack({ response_action: "errors", errors: { [view.state.values.table ? "table" : "new_table"]: "Pick a table, or name a new one." } });
      return;
    }
    if (picked && typed) {
      await ack({ response_action: "errors", errors: { new_table: "Pick a table or name a new one, not both." } });
      return;
    }
    const state: EditorState = { database, table: picked ?? typed!, isNew: !picked, edits: [], page: 0, filter: "", description: "" };
    try {
      await ack({ response_action: "update", view: await editorView(context, state) });
    } catch (error) {
      if (error instanceof SchemaEditError) await ack({ response_action: "errors", errors: { new_table: error.message } });
      else {
        logger.warn({ err: error, database }, "schema editor could not open the table");
        await ack({ response_action: "update", view: schemaFailureView(database, userMessageFor(error)) });
      }
    }
  });

  // "Preview": the editor's own submit. Pushes the preview so closing it returns to the editor with every edit kept.
  app.view(SCHEMA_CALLBACKS.editor, async ({ ack, view }) => {
    let state = context.pending.decode(view.private_metadata);
    try {
      state = await withTypedInputs(context, state, view);
      const opened = await context.editor.open(state);
      const preview = await context.editor.preview(opened);
      await ack({ response_action: "push", view: schemaPreviewView(opened.database.label, preview, context.pending.encode(state)) });
    } catch (error) {
      if (error instanceof SchemaEditError) {
        await ack({ response_action: "errors", errors: fieldErrors(error.problems, editorBlockFor(state, Boolean(view.state.values.primary_key))) });
        return;
      }
      logger.error({ err: error, database: state.database }, "schema editor preview failed");
      await ack({ response_action: "errors", errors: { description: userMessageFor(error) } });
    }
  });

  app.view(SCHEMA_CALLBACKS.column, async ({ ack, view, client }) => {
    const state = context.pending.decode(view.private_metadata);
    const values = view.state.values;
    const custom = values.type_custom?.type_custom?.value?.trim();
    const form = {
      name: values.name?.name?.value ?? "",
      type: custom || values.type_choice?.type_choice?.selected_option?.value || "",
      nullable: selected(values, "nullable").includes("yes"),
      default: values.default?.default?.value ?? "",
      comment: values.comment?.comment?.value ?? "",
      identity: selected(values, "identity").includes("yes"),
      position: positionFromForm(values.position?.position),
    };
    try {
      const opened = await context.editor.open(state);
      if (!form.type) throw new SchemaEditError([{ field: "type", message: "Pick a type from the list, or type one." }]);
      const edit = columnEditFromForm(opened.dialect, opened.draft, form, state.column);
      await updateParent(context, client, { ...state, edits: [...state.edits, edit], column: undefined }, ack);
    } catch (error) {
      if (error instanceof SchemaEditError) {
        await ack({ response_action: "errors", errors: fieldErrors(error.problems, (field) => COLUMN_BLOCKS[field] ?? "name") });
        return;
      }
      logger.error({ err: error, database: state.database }, "schema editor column form failed");
      await ack({ response_action: "errors", errors: { name: userMessageFor(error) } });
    }
  });

  app.view(SCHEMA_CALLBACKS.dropColumn, async ({ ack, view, client }) => {
    const state = context.pending.decode(view.private_metadata);
    try {
      await updateParent(context, client, { ...state, edits: [...state.edits, { op: "drop-column", name: state.column ?? "" }], column: undefined }, ack);
    } catch (error) {
      if (!(error instanceof SluiceError)) logger.error({ err: error, database: state.database }, "schema editor drop failed");
      await ack({ response_action: "update", view: { ...schemaFailureView(state.database, userMessageFor(error)), private_metadata: view.private_metadata } });
    }
  });

  app.view(SCHEMA_CALLBACKS.index, async ({ ack, view, client }) => {
    const state = context.pending.decode(view.private_metadata);
    const values = view.state.values;
    const form = {
      name: values.name?.name?.value ?? "",
      columns: (values.columns?.columns?.value ?? "").split("\n").filter((line) => line.trim() !== ""),
      unique: selected(values, "unique").includes("yes"),
    };
    try {
      const opened = await context.editor.open(state);
      const edit = indexEditFromForm(opened.dialect, opened.draft, form);
      await updateParent(context, client, { ...state, edits: [...state.edits, edit] }, ack);
    } catch (error) {
      if (error instanceof SchemaEditError) {
        await ack({ response_action: "errors", errors: fieldErrors(error.problems, (field) => (field === "columns" ? "columns" : "name")) });
        return;
      }
      logger.error({ err: error, database: state.database }, "schema editor index form failed");
      await ack({ response_action: "errors", errors: { name: userMessageFor(error) } });
    }
  });

  app.view(SCHEMA_CALLBACKS.preview, async ({ ack, view, body }) => {
    const state = context.pending.decode(view.private_metadata);
    try {
      const opened = await context.editor.open(state);
      const preview = await context.editor.preview(opened);
      submitSchemaChange(services, { databaseLabel: opened.database.label, ddl: preview.script, requesterUserId: body.user.id, description: state.description, viewId: view.id });
      await ack({ response_action: "clear" });
    } catch (error) {
      if (!(error instanceof SluiceError)) logger.error({ err: error, database: state.database }, "schema editor submit failed");
      await ack({ response_action: "update", view: { ...schemaFailureView(state.database, userMessageFor(error)), private_metadata: view.private_metadata } });
    }
  });
}

/** Closes the pushed form and shows its edit in the editor underneath it. */
async function updateParent(context: SchemaEditorContext, client: AllMiddlewareArgs["client"], state: EditorState, ack: () => Promise<void>): Promise<void> {
  const parentViewId = state.parentViewId!;
  const view = await editorView(context, { ...state, parentViewId: undefined });
  await ack();
  await client.views.update({ view_id: parentViewId, view });
}

/**
 * The add-column form's position as the draft reads it ("" last, "first", "after:<column>"): chosen from a select, or
 * typed when the table has more columns than a select holds.
 */
function positionFromForm(field: { selected_option?: { value?: string } | null; value?: string | null } | undefined): string {
  const chosen = field?.selected_option?.value;
  if (chosen !== undefined) return chosen === "last" ? "" : chosen;
  const typed = (field?.value ?? "").trim();
  if (typed === "" || typed.toLowerCase() === "last") return "";
  if (typed.toLowerCase() === "first") return "first";
  return `after:${typed.replace(/^after\s+/i, "")}`;
}
