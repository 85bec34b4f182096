// The unified diff of a change's schema, before vs after, from the snapshots taken around its run.
import { createTwoFilesPatch } from "diff";
import type { ChangeDetail } from "../store/changes.ts";

export function changeSchemaDiff(change: ChangeDetail): string | undefined {
  const after = change.snapshots.filter((s) => s.kind === "after").at(-1);
  if (!after) return undefined;
  const before = change.snapshots.find((s) => s.kind === "before");
  const patch = createTwoFilesPatch(`${change.database.name} before ${change.key}`, `${change.database.name} after ${change.key}`, before?.schema ?? "", after.schema, "", "", { context: 3 });
  // Drop the two header lines of "===" that createTwoFilesPatch starts with; keep --- / +++ and the hunks.
  return patch.split("\n").filter((line) => !line.startsWith("====")).join("\n").trim();
}
