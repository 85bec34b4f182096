// The answer to `/db review`: the counts, then the findings by statement as far as a message holds them. When they
// do not all fit, the message says how many it shows and the whole report goes with it as a file.
import type { KnownBlock } from "@slack/types";
import type { SqlStatement } from "../../engines/engine.ts";
import type { ReviewFinding, ReviewReport } from "../../review/types.ts";
import { contextBlock, joinMrkdwn, mrkdwn, plural, section, SLACK_LIMITS, type Mrkdwn } from "./text.ts";

const levelIcons = { error: ":red_circle:", warning: ":large_yellow_circle:" } as const;
/** Room kept for the summary and the note on where the rest is. */
const FINDING_BLOCKS = SLACK_LIMITS.blocksPerMessage - 4;
/**
 * The findings a message shows at most: enough to act on the first, short enough to read. Slack also refuses a
 * message whose blocks hold more than about 13,000 characters in all (msg_blocks_too_long), whatever each holds.
 */
const SHOWN_FINDINGS = 20;
const SHOWN_CHARACTERS = 8000;
/** A section's text, with room for its statement heading. */
const SECTION_ROOM = SLACK_LIMITS.sectionText - 200;

export interface ReviewAnswer {
  text: Mrkdwn;
  blocks: KnownBlock[];
  /** How many findings the message shows; fewer than the report's means the whole report goes as a file. */
  shown: number;
}

function findingLine(finding: ReviewFinding): Mrkdwn {
  return mrkdwn`${levelIcons[finding.level]} \`${finding.ruleId}\` line ${finding.line}: ${finding.message}\n      _${finding.advice}_`;
}

export interface ReviewAnswerInput {
  database: string;
  environment: string;
  report: ReviewReport;
  /** Where the whole report is, when the message does not hold it (e.g. the file's name and where it was sent). */
  whereTheRestIs?: Mrkdwn;
}

export function reviewAnswer({ database, environment, report, whereTheRestIs }: ReviewAnswerInput): ReviewAnswer {
  const total = report.findings.length;
  const counts = mrkdwn`${plural(report.errorCount, "error")}, ${plural(report.warningCount, "warning")}, ${plural(report.statementCount, "statement")}`;
  const text = mrkdwn`Review on ${database}: ${plural(total, "finding")} (${counts})`;
  const blocks: KnownBlock[] = [section(mrkdwn`*Review on ${database} (${environment}):* ${plural(total, "finding")} · ${counts}`)];
  if (total === 0) {
    blocks.push(contextBlock(mrkdwn`:white_check_mark: No findings.`));
    return { text, blocks, shown: 0 };
  }
  let shown = 0;
  let ordinal = -1;
  let lines: Mrkdwn[] = [];
  let heading: Mrkdwn = mrkdwn``;
  let characters = 0;
  const flush = () => {
    if (lines.length > 0) blocks.push(section(mrkdwn`${heading}\n${joinMrkdwn(lines, "\n")}`));
    lines = [];
  };
  for (const finding of report.findings) {
    const line = findingLine(finding);
    characters += line.text.length;
    if (shown >= SHOWN_FINDINGS || characters > SHOWN_CHARACTERS) break;
    const startsStatement = finding.statementOrdinal !== ordinal;
    const size = lines.reduce((sum, l) => sum + l.text.length + 1, 0) + line.text.length;
    if (startsStatement || size > SECTION_ROOM) {
      flush();
      if (blocks.length >= FINDING_BLOCKS || line.text.length > SECTION_ROOM) break;
      ordinal = finding.statementOrdinal;
      heading = startsStatement ? mrkdwn`*Statement ${ordinal + 1}*` : mrkdwn`*Statement ${ordinal + 1}* (continued)`;
    }
    lines.push(line);
    shown += 1;
  }
  flush();
  if (shown < total) {
    blocks.push(contextBlock(mrkdwn`Showing the first ${shown} of ${plural(total, "finding")}. ${whereTheRestIs ?? mrkdwn`The whole report is attached as a file.`}`));
  }
  return { text, blocks, shown };
}
