// A stand-in for a MySQL 8 server as a replication source (only MariaDB runs here): the client/server protocol as MySQL 8
// speaks it to a replica, from the handshake to COM_BINLOG_DUMP. Its account authenticates with caching_sha2_password,
// MySQL 8's default, by the full exchange a server does when the password is not in its cache and the connection has
// no TLS: the client asks for the server's RSA key and sends the password encrypted with it. It answers the queries
// the binlog reader sends before the dump, then sends the events it was given and ends the dump.
import { constants, createHash, generateKeyPairSync, privateDecrypt, randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";

const PLUGIN = "caching_sha2_password";
const CLIENT = { PROTOCOL_41: 0x200, SECURE_CONNECTION: 0x8000, PLUGIN_AUTH: 0x80000, CONNECT_WITH_DB: 0x8, PLUGIN_AUTH_LENENC_DATA: 0x200000, DEPRECATE_EOF: 0x1000000 };
const SERVER_CAPABILITIES = 0x1 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x10000 | 0x20000 | 0x80000 | 0x100000 | 0x200000;
const COM = { QUIT: 0x01, QUERY: 0x03, BINLOG_DUMP: 0x12 };

export interface ReplicationSource {
  port: number;
  /** What the source saw: how each client authenticated, its queries, and the dumps it was asked for. */
  log: { authentications: Array<"full" | "refused">; queries: string[]; dumps: Array<{ file: string; position: number }> };
  close(): Promise<void>;
}

/** One binlog event as the source sends it: its type and body (the 19-byte header is written here, no checksum). */
export interface SourceEvent {
  type: number;
  body: Buffer;
}

export async function startReplicationSource(account: { user: string; password: string }, events: SourceEvent[]): Promise<ReplicationSource> {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const log: ReplicationSource["log"] = { authentications: [], queries: [], dumps: [] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    serve(socket, account, publicPem, privateKey, events, log);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function serve(
  socket: Socket,
  account: { user: string; password: string },
  publicPem: string,
  privateKey: import("node:crypto").KeyObject,
  events: SourceEvent[],
  log: ReplicationSource["log"],
): void {
  const scramble = Buffer.from(randomBytes(20).map((byte) => (byte % 94) + 33));
  let buffered = Buffer.alloc(0);
  let sequence = 0;
  let clientFlags = 0;
  let step: "response" | "key request" | "encrypted password" | "command" = "response";
  const send = (payload: Buffer): void => {
    const header = Buffer.alloc(4);
    header.writeUIntLE(payload.length, 0, 3);
    header[3] = sequence++ & 0xff;
    socket.write(Buffer.concat([header, payload]));
  };
  const ok = (): void => send(Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]));
  const eof = (): void => send(clientFlags & CLIENT.DEPRECATE_EOF ? Buffer.from([0xfe, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]) : Buffer.from([0xfe, 0x00, 0x00, 0x02, 0x00]));
  const error = (code: number, state: string, message: string): void => {
    const head = Buffer.alloc(3);
    head[0] = 0xff;
    head.writeUInt16LE(code, 1);
    send(Buffer.concat([head, Buffer.from(`#${state}${message}`)]));
  };
  const oneValue = (name: string, value: string): void => {
    send(Buffer.from([1]));
    send(Buffer.concat([lenencText("def"), lenencText(""), lenencText(""), lenencText(""), lenencText(name), lenencText(""), Buffer.from([0x0c, 0x21, 0, 0xff, 0, 0, 0, 0xfd, 0, 0, 0, 0, 0])]));
    if (!(clientFlags & CLIENT.DEPRECATE_EOF)) eof();
    send(lenencText(value));
    eof();
  };

  const onPacket = (payload: Buffer): void => {
    if (step === "response") {
      clientFlags = payload.readUInt32LE(0);
      let at = 32;
      const userEnd = payload.indexOf(0, at);
      const user = payload.toString("utf8", at, userEnd);
      at = userEnd + 1;
      const tokenLength = payload[at]!;
      const token = payload.subarray(at + 1, at + 1 + tokenLength);
      at += 1 + tokenLength;
      if (clientFlags & CLIENT.CONNECT_WITH_DB) at = payload.indexOf(0, at) + 1;
      const plugin = payload.toString("utf8", at, payload.indexOf(0, at));
      if (user !== account.user || plugin !== PLUGIN || !token.equals(fastToken(account.password, scramble))) {
        log.authentications.push("refused");
        return error(1045, "28000", `Access denied for user '${user}'@'localhost' (using password: YES)`);
      }
      // The password is not in the server's cache: full authentication, which without TLS goes through the RSA key.
      step = "key request";
      return send(Buffer.from([0x01, 0x04]));
    }
    if (step === "key request") {
      if (payload.length !== 1 || payload[0] !== 0x02) return error(1045, "28000", "expected a request for the public key");
      step = "encrypted password";
      return send(Buffer.concat([Buffer.from([0x01]), Buffer.from(publicPem)]));
    }
    if (step === "encrypted password") {
      const decrypted = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, payload);
      const password = Buffer.from(decrypted.map((byte, i) => byte ^ scramble[i % scramble.length]!));
      if (!password.equals(Buffer.from(`${account.password}\0`))) {
        log.authentications.push("refused");
        return error(1045, "28000", "Access denied");
      }
      log.authentications.push("full");
      step = "command";
      return ok();
    }
    sequence = 1;
    const command = payload[0];
    if (command === COM.QUIT) return void socket.end();
    if (command === COM.QUERY) {
      const sql = payload.toString("utf8", 1);
      log.queries.push(sql);
      if (/^SELECT @@GLOBAL\.binlog_checksum/i.test(sql)) return oneValue("checksum", "NONE");
      if (/^SET /i.test(sql)) return ok();
      return error(1064, "42000", `the stand-in source does not answer: ${sql}`);
    }
    if (command === COM.BINLOG_DUMP) {
      log.dumps.push({ position: payload.readUInt32LE(1), file: payload.toString("utf8", 11) });
      let position = 4;
      for (const event of events) {
        const header = Buffer.alloc(19);
        header.writeUInt32LE(1_700_000_000, 0);
        header[4] = event.type;
        header.writeUInt32LE(1, 5);
        header.writeUInt32LE(19 + event.body.length, 9);
        position += 19 + event.body.length;
        header.writeUInt32LE(position, 13);
        send(Buffer.concat([Buffer.from([0x00]), header, event.body]));
      }
      return eof();
    }
    error(1047, "08S01", "Unknown command");
  };

  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUIntLE(0, 3);
      if (buffered.length < 4 + length) break;
      sequence = buffered[3]! + 1;
      const payload = buffered.subarray(4, 4 + length);
      buffered = buffered.subarray(4 + length);
      onPacket(payload);
    }
  });
  send(handshake(scramble));
}

/** Protocol::HandshakeV10 announcing MySQL 8.0.36 and caching_sha2_password. */
function handshake(scramble: Buffer): Buffer {
  const uint16 = (value: number): Buffer => Buffer.from([value & 0xff, (value >> 8) & 0xff]);
  return Buffer.concat([
    Buffer.from([0x0a]),
    Buffer.from("8.0.36\0"),
    Buffer.from([42, 0, 0, 0]),
    scramble.subarray(0, 8),
    Buffer.from([0]),
    uint16(SERVER_CAPABILITIES & 0xffff),
    Buffer.from([0xff]),
    uint16(0x0002),
    uint16(SERVER_CAPABILITIES >>> 16),
    Buffer.from([21]),
    Buffer.alloc(10),
    scramble.subarray(8),
    Buffer.from([0]),
    Buffer.from(`${PLUGIN}\0`),
  ]);
}

/** caching_sha2_password's scramble: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce). */
function fastToken(password: string, scramble: Buffer): Buffer {
  const sha = (data: Buffer): Buffer => createHash("sha256").update(data).digest();
  const stage1 = sha(Buffer.from(password));
  const stage3 = sha(Buffer.concat([sha(stage1), scramble]));
  return Buffer.from(stage1.map((byte, i) => byte ^ stage3[i]!));
}

function lenencText(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}
