// What the editor refuses, said on the form field where the problem is.
import { SluiceError } from "../errors.ts";

/** The form fields a problem can be shown on; the Slack layer maps each to its input block. */
export type EditorField = "table" | "name" | "type" | "default" | "comment" | "nullable" | "identity" | "position" | "columns" | "index" | "primary_key";

export interface FieldProblem {
  field: EditorField;
  message: string;
}

/** The form describes something Sluice will not submit; each problem names its field and what to do. */
export class SchemaEditError extends SluiceError {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((problem) => problem.message).join(" "));
  }
}
