// Posts a large text file to Slack a piece at a time (the Web API client's filesUploadV2 holds the whole file in
// memory, several times over): ask for an upload URL for the file's length, stream the pieces to it, complete it.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { WebClient } from "@slack/web-api";
import { SluiceError } from "../errors.ts";
import type { Mrkdwn } from "./blocks/text.ts";

export interface StreamedFile {
  channelId: string;
  threadTs: string;
  filename: string;
  /** Shown with the file, as message text (mrkdwn). */
  comment: Mrkdwn;
  /** The file's length in bytes (UTF-8), which Slack asks for before the upload. */
  bytes: number;
  pieces: AsyncIterable<string> | Iterable<string>;
}

export async function uploadInPieces(client: WebClient, file: StreamedFile): Promise<void> {
  const { upload_url: uploadUrl, file_id: fileId } = await client.files.getUploadURLExternal({ filename: file.filename, length: file.bytes });
  if (!uploadUrl || !fileId) throw new SluiceError(`Slack gave no upload URL for ${file.filename}.`);
  await postPieces(new URL(uploadUrl), file.bytes, file.pieces);
  await client.files.completeUploadExternal({
    files: [{ id: fileId, title: file.filename }],
    channel_id: file.channelId,
    thread_ts: file.threadTs,
    initial_comment: file.comment.text,
  });
}

/** POSTs the pieces as the raw body, waiting for the socket to drain between them. */
function postPieces(url: URL, bytes: number, pieces: AsyncIterable<string> | Iterable<string>): Promise<void> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<void>((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "text/plain; charset=utf-8", "content-length": bytes } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new SluiceError(`Slack refused the upload of the file (HTTP ${res.statusCode}).`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    void (async () => {
      for await (const piece of pieces) {
        if (!req.write(piece, "utf8")) await new Promise((drained) => req.once("drain", drained));
      }
      req.end();
    })().catch((error: unknown) => req.destroy(error instanceof Error ? error : new Error(String(error))));
  });
}
