// Reads a file a user attached in a modal (Slack serves it only with the bot token), within a size limit.
import { SluiceError } from "../errors.ts";

export class AttachedFileError extends SluiceError {}

export interface AttachedFile {
  name?: string;
  url_private_download?: string;
  url_private?: string;
  size?: number;
}

export async function readAttachedFile(file: AttachedFile, botToken: string, maxBytes: number): Promise<string> {
  const url = file.url_private_download ?? file.url_private;
  if (!url) throw new AttachedFileError("Slack did not give a download link for the file; attach it again.");
  if (file.size !== undefined && file.size > maxBytes) {
    throw new AttachedFileError(`${file.name ?? "The file"} is ${file.size.toLocaleString("en-US")} bytes; the limit is ${maxBytes.toLocaleString("en-US")}.`);
  }
  const response = await fetch(url, { headers: { authorization: `Bearer ${botToken}` }, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new AttachedFileError(`Could not read ${file.name ?? "the file"} from Slack (HTTP ${response.status}); attach it again.`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > maxBytes) throw new AttachedFileError(`${file.name ?? "The file"} is larger than the limit of ${maxBytes.toLocaleString("en-US")} bytes.`);
  const text = bytes.toString("utf8");
  if (text.includes("\u0000")) throw new AttachedFileError(`${file.name ?? "The file"} is not a text file.`);
  return text;
}
