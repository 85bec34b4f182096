// Every review rule, in category order: the catalog the README lists.
import type { ReviewRule } from "../types.ts";
import { columnRules } from "./column.ts";
import { engineRules } from "./engine.ts";
import { indexRules } from "./indexes.ts";
import { joinRules } from "./join.ts";
import { liveRules } from "./live.ts";
import { namingRules } from "./naming.ts";
import { schemaRules } from "./schema.ts";
import { statementRules } from "./statement.ts";
import { systemRules } from "./system.ts";
import { tableRules } from "./table.ts";

export const reviewRules: readonly ReviewRule[] = [
  ...engineRules,
  ...namingRules,
  ...statementRules,
  ...joinRules,
  ...liveRules,
  ...tableRules,
  ...columnRules,
  ...indexRules,
  ...schemaRules,
  ...systemRules,
];
