// Who may decide a change: the environment's approvers (users or members of user groups), never the
// requester unless the environment allows it.
import type { EnvironmentConfig } from "../config/schema.ts";

/** The user an environment's automatic approval is recorded as. */
export const POLICY_APPROVER = "sluice";

export interface ApproverDirectory {
  /** Members of a Slack user group. */
  membersOf(groupId: string): Promise<string[]>;
}

export type DecisionRight = { allowed: true } | { allowed: false; reason: string };

export async function isApprover(environment: EnvironmentConfig, userId: string, directory: ApproverDirectory): Promise<boolean> {
  if (environment.approvers.users.includes(userId)) return true;
  for (const group of environment.approvers.groups) {
    if ((await directory.membersOf(group)).includes(userId)) return true;
  }
  return false;
}

export async function mayDecide(
  environment: EnvironmentConfig,
  change: { requesterId: string },
  userId: string,
  directory: ApproverDirectory,
): Promise<DecisionRight> {
  if (!(await isApprover(environment, userId, directory))) {
    return { allowed: false, reason: `Only approvers of ${environment.name} can decide this change.` };
  }
  if (change.requesterId === userId && !environment.allowSelfApproval) {
    return { allowed: false, reason: `You requested this change, and ${environment.name} does not let requesters approve their own changes.` };
  }
  return { allowed: true };
}
