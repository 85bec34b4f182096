// Pending edits ride in private_metadata up to Slack's 3000 characters, and are kept server-side beyond that.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PendingEditStore, PendingEditsLostError, PRIVATE_METADATA_LIMIT, type EditorState } from "../../src/schema-editor/editor-state.ts";

function stateWith(edits: number): EditorState {
  const column = (i: number) => ({ name: `column_with_a_long_name_${i}`, type: "varchar(255)", nullable: true, default: { kind: "string" as const, value: "x".repeat(40) }, comment: "why", identity: false });
  return { database: "shop", table: "orders", isNew: false, edits: Array.from({ length: edits }, (_, i) => ({ op: "column" as const, column: column(i) })), page: 0, filter: "", description: "typed" };
}

test("a small state travels in the metadata itself", () => {
  const store = new PendingEditStore();
  const metadata = store.encode(stateWith(2));
  assert.ok(metadata.length <= PRIVATE_METADATA_LIMIT);
  assert.deepEqual(store.decode(metadata), stateWith(2));
  assert.equal(store.size, 0);
});

test("a state over 3000 characters is kept server-side and comes back whole", () => {
  const store = new PendingEditStore();
  const big = stateWith(60);
  assert.ok(JSON.stringify(big).length > PRIVATE_METADATA_LIMIT);
  const metadata = store.encode(big);
  assert.ok(metadata.length <= PRIVATE_METADATA_LIMIT);
  assert.deepEqual(store.decode(metadata), big);
  assert.equal(store.size, 1);
});

test("a kept state that expired says how to start again", () => {
  let now = 0;
  const store = new PendingEditStore(() => now);
  const metadata = store.encode(stateWith(60));
  now += 25 * 60 * 60 * 1000;
  assert.throws(() => store.decode(metadata), PendingEditsLostError);
});
