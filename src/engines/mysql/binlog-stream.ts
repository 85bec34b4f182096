// The server's replication stream (COM_BINLOG_DUMP) as raw events: header fields and body bounds, nothing decoded.
import type { Socket } from "node:net";
import type { ConnectionTarget } from "../engine.ts";
import { EngineError } from "../errors.ts";
import { openConnection } from "./connect.ts";
import type { BinlogCoordinates } from "./binlog-reader.ts";

export interface BinlogEventView {
  type: number;
  serverId: number;
  /** Where the next event starts in the current file; 0 for events the server makes up (the first ROTATE). */
  nextPosition: number;
  /** The event's body is buf[start, end): after the 19-byte header, without the checksum. */
  buf: Buffer;
  start: number;
  end: number;
}

export interface BinlogStream {
  /** Settles once the stream is closed: by stop(), or by an error (which it rejects with). */
  closed: Promise<void>;
  stop(): void;
}

const COM_BINLOG_DUMP = 0x12;
const HEADER_LENGTH = 19;
const CHECKSUM_LENGTH = 4;

/** The dump request, shaped as mysql2's connection.writePacket expects a packet. */
class DumpRequest {
  readonly buffer: Buffer;

  constructor(from: BinlogCoordinates, serverId: number) {
    const name = Buffer.from(from.file, "utf8");
    this.buffer = Buffer.alloc(4 + 11 + name.length);
    this.buffer.writeUInt8(COM_BINLOG_DUMP, 4);
    this.buffer.writeUInt32LE(from.position, 5);
    // BINLOG_DUMP_NON_BLOCK: the range is already written, and a dump that ends at the binlog's end never lingers.
    this.buffer.writeUInt16LE(1, 9);
    this.buffer.writeUInt32LE(serverId, 11);
    name.copy(this.buffer, 15);
  }

  length(): number {
    return this.buffer.length;
  }

  writeHeader(sequenceId: number): void {
    this.buffer.writeUIntLE(this.buffer.length - 4, 0, 3);
    this.buffer.writeUInt8(sequenceId, 3);
  }
}

interface DriverPacket {
  buffer: Buffer;
  start: number;
  end: number;
  isEOF(): boolean;
  isError(): boolean;
  asError(encoding: string): Error;
}

interface DriverConnection {
  writePacket(packet: DumpRequest): void;
  _resetSequenceId(): void;
  addCommand(command: unknown): void;
  clientEncoding: string;
}

/**
 * A command in mysql2's own sense (execute() per packet, true when done): mysql2 has no public way to receive the
 * dump's packets undecoded, and decoding them here is the point.
 */
class DumpCommand {
  private started = false;

  constructor(
    private readonly request: DumpRequest,
    private readonly checksum: boolean,
    private readonly onEvent: (event: BinlogEventView) => void,
    private readonly onEnd: (error?: unknown) => void,
  ) {}

  execute(packet: DriverPacket | undefined, connection: DriverConnection): boolean {
    if (!this.started) {
      this.started = true;
      connection._resetSequenceId();
      connection.writePacket(this.request);
      return false;
    }
    if (!packet) return false;
    if (packet.isError()) {
      this.onEnd(packet.asError(connection.clientEncoding));
      return true;
    }
    if (packet.isEOF()) {
      this.onEnd();
      return true;
    }
    // The payload starts after the 4-byte packet header and the 0x00 that marks an event.
    const at = packet.start + 5;
    const buf = packet.buffer;
    try {
      this.onEvent({
        type: buf[at + 4]!,
        serverId: buf.readUInt32LE(at + 5),
        nextPosition: buf.readUInt32LE(at + 13),
        buf,
        start: at + HEADER_LENGTH,
        end: packet.end - (this.checksum ? CHECKSUM_LENGTH : 0),
      });
    } catch (error) {
      this.onEnd(error);
      return true;
    }
    return false;
  }
}

/**
 * Opens a replication connection and streams events from `from` on. The server id must differ from the server's and
 * its replicas'; the session variables announce that we read checksummed events and MariaDB's GTID events.
 */
export async function openBinlogStream(
  target: ConnectionTarget,
  from: BinlogCoordinates,
  serverId: number,
  onEvent: (event: BinlogEventView) => void,
): Promise<BinlogStream> {
  const { core, conn } = await openConnection(target);
  let checksum: boolean;
  try {
    const [rows] = await conn.query("SELECT @@GLOBAL.binlog_checksum AS checksum");
    checksum = String((rows as Array<{ checksum: unknown }>)[0]?.checksum).toUpperCase() !== "NONE";
    await conn.query("SET @master_binlog_checksum = @@GLOBAL.binlog_checksum, @mariadb_slave_capability = 4");
  } catch (error) {
    core.destroy();
    throw error;
  }
  let stopped = false;
  let settle: (error?: unknown) => void = () => {};
  const closed = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => {
      if (stopped) return;
      stopped = true;
      // A dump waiting for new events never answers the polite end() mysql2's destroy() sends: the socket goes too.
      core.destroy();
      (core as unknown as { stream: Socket }).stream.destroy();
      if (error) reject(error);
      else resolve();
    };
  });
  core.on("error", (error: unknown) => settle(error));
  core.on("end", () => settle(new EngineError("the server closed the binlog stream", { kind: "statement" })));
  const command = new DumpCommand(new DumpRequest(from, serverId), checksum, (event) => stopped || onEvent(event), settle);
  (core as unknown as DriverConnection).addCommand(command);
  return { closed, stop: () => settle() };
}
