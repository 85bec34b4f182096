// Reads a file a user attached in a modal (Slack serves it only with the bot token), within a size limit. The token
// goes only to Slack's file hosts: a link or a redirect anywhere else is refused before anything is sent there.
import { SluiceError } from "../errors.ts";

export class AttachedFileError extends SluiceError {}

export interface AttachedFile {
  name?: string;
  url_private_download?: string;
  url_private?: string;
  size?: number;
}

/** What downloading an attached file may use: the bot token, and the only origins it is sent to. */
export interface FileDownloads {
  botToken: string;
  /** Slack's file hosts as origins (`https://files.slack.com`); config/load.ts makes them from SLACK_FILE_HOSTS. */
  origins: readonly string[];
}

/** Slack answers a file's link itself; a few hops between its own hosts are allowed, never a loop. */
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function hostsOf(origins: readonly string[]): string {
  return origins.map((origin) => new URL(origin).host).join(", ");
}

/** The link as a URL on one of Slack's file hosts; anything else (another host, scheme or port) is refused. */
function onSlackFileHost(link: string, base: URL | undefined, origins: readonly string[], refusal: (host: string) => string): URL {
  let url: URL;
  try {
    url = new URL(link, base);
  } catch {
    throw new AttachedFileError(refusal("a link that is not a URL"));
  }
  if (!origins.includes(url.origin)) throw new AttachedFileError(refusal(url.host || url.protocol));
  return url;
}

export async function readAttachedFile(file: AttachedFile, downloads: FileDownloads, maxBytes: number): Promise<string> {
  const name = file.name ?? "the file";
  const link = file.url_private_download ?? file.url_private;
  if (!link) throw new AttachedFileError("Slack did not give a download link for the file; attach it again.");
  if (file.size !== undefined && file.size > maxBytes) {
    throw new AttachedFileError(`${file.name ?? "The file"} is ${file.size.toLocaleString("en-US")} bytes; the limit is ${maxBytes.toLocaleString("en-US")}.`);
  }
  const slackHosts = hostsOf(downloads.origins);
  let url = onSlackFileHost(link, undefined, downloads.origins, (host) => `Sluice reads attached files only from Slack's file hosts (${slackHosts}); the link of ${name} points to ${host}. Attach the file again in Slack.`);
  const signal = AbortSignal.timeout(5_000);
  let response: Response;
  for (let redirects = 0; ; redirects++) {
    // Redirects are followed here, not by fetch, so each hop is checked before the token is sent to it.
    response = await fetch(url, { headers: { authorization: `Bearer ${downloads.botToken}` }, redirect: "manual", signal });
    if (!REDIRECTS.has(response.status)) break;
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (!location || redirects === MAX_REDIRECTS) throw new AttachedFileError(`Could not read ${name} from Slack (it redirected the download too often); attach it again.`);
    url = onSlackFileHost(location, url, downloads.origins, (host) => `Slack redirected the download of ${name} to ${host}, which is not one of its file hosts (${slackHosts}); Sluice did not follow it. Attach the file again.`);
  }
  if (!response.ok) throw new AttachedFileError(`Could not read ${name} from Slack (HTTP ${response.status}); attach it again.`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > maxBytes) throw new AttachedFileError(`${file.name ?? "The file"} is larger than the limit of ${maxBytes.toLocaleString("en-US")} bytes.`);
  const text = bytes.toString("utf8");
  if (text.includes("\u0000")) throw new AttachedFileError(`${file.name ?? "The file"} is not a text file.`);
  return text;
}
