// The unified diff of a snapshot against the live schema, as people read it in an alert.
import { createTwoFilesPatch } from "diff";

export function schemaDiff(label: string, snapshotTakenAt: Date, snapshotSchema: string, liveSchema: string): string {
  return createTwoFilesPatch(
    `${label} (snapshot)`,
    `${label} (live)`,
    snapshotSchema,
    liveSchema,
    snapshotTakenAt.toISOString(),
    "now",
    { context: 3 },
  );
}
