// The one error `/db query` answers with when it will not run a statement: nothing reached the database.
import { SluiceError } from "../errors.ts";

export class QueryRefusedError extends SluiceError {
  constructor(readonly reason: string) {
    super(`Refused, nothing was run: ${reason}`);
  }
}
