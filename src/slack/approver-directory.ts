// User-group membership from Slack's usergroups.users.list, cached briefly so a burst of clicks asks once.
import type { WebClient } from "@slack/web-api";
import type { ApproverDirectory } from "../changes/policy.ts";

const CACHE_MS = 60_000;

export class SlackApproverDirectory implements ApproverDirectory {
  private readonly cache = new Map<string, { at: number; members: Promise<string[]> }>();

  constructor(private readonly client: WebClient) {}

  membersOf(groupId: string): Promise<string[]> {
    const cached = this.cache.get(groupId);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.members;
    const members = this.client.usergroups.users
      .list({ usergroup: groupId })
      .then((response) => response.users ?? [])
      .catch((error: unknown) => {
        this.cache.delete(groupId);
        throw error;
      });
    this.cache.set(groupId, { at: Date.now(), members });
    return members;
  }
}
