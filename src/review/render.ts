// Plain-text rendering of a review report (Slack's Block Kit rendering lives in src/slack/blocks/).
import type { SqlStatement } from "../engines/engine.ts";
import type { ReviewReport } from "./types.ts";

const excerpt = (text: string): string => {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine;
};

export function renderReviewText(report: ReviewReport, statements: readonly SqlStatement[]): string {
  const lines = [
    `SQL review: ${report.statementCount} statement(s), ${report.errorCount} error(s), ${report.warningCount} warning(s).`,
  ];
  if (report.findings.length === 0) {
    lines.push("No findings.");
    return lines.join("\n");
  }
  let ordinal = -1;
  for (const finding of report.findings) {
    if (finding.statementOrdinal !== ordinal) {
      ordinal = finding.statementOrdinal;
      const statement = statements[ordinal];
      lines.push("", `Statement ${ordinal + 1}${statement ? `: ${excerpt(statement.text)}` : ""}`);
    }
    lines.push(`  ${finding.level.toUpperCase()} [${finding.ruleId}] line ${finding.line}, column ${finding.column}: ${finding.message}`);
    lines.push(`    → ${finding.advice}`);
  }
  return lines.join("\n");
}
