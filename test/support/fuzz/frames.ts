/**
 * The frame property: after a valid handshake (and, half the time, the start of a real turn), a
 * sequence of arbitrary frames: any opcode, RSV bits, masks, lengths that lie, invalid UTF-8,
 * fragments, control frames, speech protocol messages with corruptions. The connection ends with
 * an expected close code or stays open, never 1011 and never dropped without a close frame.
 */
import fc from "fast-check";
import { encodeFrame, type Frame, RawWebSocket } from "../raw-websocket.ts";
import type { SpawnedMock } from "../spawn.ts";
import { asciiString, type FuzzOptions, type FuzzReport, fuzz, type Runner, showBytes } from "./run.ts";

/** A frame as generated: encoded with `encodeFrame`, or raw bytes. */
export type FrameSpec = { frame: Frame; note: string } | { raw: number[]; note: string };

/** Close codes a client may send (RFC 6455 section 7.4), except 1011, which the server must never send. */
const clientCloseCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
/** Close codes the server may send of its own accord. */
const serverCloseCodes = new Set([1000, 1002, 1007, 1008, 1009]);

const bytesArb = (maxLength: number) =>
  fc.oneof(
    fc.uint8Array({ maxLength }),
    fc.constantFrom(
      new Uint8Array([0xff, 0xfe]),
      new Uint8Array([0xc3, 0x28]),
      new Uint8Array([0xed, 0xa0, 0x80]),
      new Uint8Array([0xf4, 0x90, 0x80, 0x80]),
      new Uint8Array([0xe2, 0x82]),
    ),
  );

const uuid32 = fc.uuid().map((u) => u.replaceAll("-", ""));
const speechTextArb = fc
  .record({
    path: fc.constantFrom(
      "speech.config",
      "speech.context",
      "speech.event",
      "telemetry",
      "audio",
      "synthesis.context",
      "",
      "speech.config\0",
    ),
    requestId: fc.oneof(uuid32, fc.uuid(), asciiString(40), fc.constant("")),
    timestamp: fc.oneof(fc.constant(new Date(0).toISOString()), asciiString(30)),
    contentType: fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", ""),
    body: fc.oneof(
      fc.constant("{}"),
      fc.constant('{"context":{"system":{"version":"1.0.00000"}}}'),
      fc.json(),
      fc.string({ maxLength: 200 }),
      fc.constant("[]"),
      fc.constant("{"),
    ),
    corruption: fc.constantFrom(
      "none",
      "no-separator",
      "duplicate-header",
      "lf-only",
      "no-colon",
      "drop-path",
      "drop-request-id",
      "invalid-utf8",
      "nul",
    ),
  })
  .map((m) => {
    const lines = [`Path: ${m.path}`, `X-RequestId: ${m.requestId}`, `X-Timestamp: ${m.timestamp}`, `Content-Type: ${m.contentType}`];
    if (m.corruption === "duplicate-header") lines.push(lines[0] ?? "");
    if (m.corruption === "no-colon") lines.push("Path speech.config");
    if (m.corruption === "drop-path") lines.shift();
    if (m.corruption === "drop-request-id") lines.splice(1, 1);
    const sep = m.corruption === "lf-only" ? "\n" : "\r\n";
    const text = m.corruption === "no-separator" ? `${lines.join(sep)}${sep}${m.body}` : `${lines.join(sep)}${sep}${sep}${m.body}`;
    let payload = Buffer.from(text, "utf8");
    if (m.corruption === "invalid-utf8") payload = Buffer.concat([payload, Buffer.from([0xc3, 0x28])]);
    if (m.corruption === "nul") payload = Buffer.concat([Buffer.from([0]), payload]);
    return { payload: new Uint8Array(payload), note: `text ${m.path} (${m.corruption})` };
  });

const riff = Buffer.concat([
  Buffer.from("RIFF"),
  Buffer.from([0x24, 0, 0, 0]),
  Buffer.from("WAVEfmt "),
  Buffer.from([16, 0, 0, 0, 1, 0, 1, 0, 0x80, 0x3e, 0, 0, 0, 0x7d, 0, 0, 2, 0, 16, 0]),
  Buffer.from("data"),
  Buffer.from([0, 0, 0, 0]),
]);
const speechBinaryArb = fc
  .record({
    path: fc.constantFrom("audio", "speech.config", "", "audio\u00e9"),
    requestId: fc.oneof(uuid32, asciiString(40)),
    contentType: fc.constantFrom("audio/x-wav", "audio/wav", "", "text/plain"),
    body: fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.constant(new Uint8Array(riff)), fc.constant(new Uint8Array())),
    prefix: fc.oneof({ weight: 3, arbitrary: fc.constant(-1) }, fc.integer({ min: 0, max: 0xffff })),
    cut: fc.oneof({ weight: 3, arbitrary: fc.constant(-1) }, fc.nat(40)),
  })
  .map((m) => {
    const head = Buffer.from(
      `Path: ${m.path}\r\nX-RequestId: ${m.requestId}\r\nX-Timestamp: ${new Date(0).toISOString()}\r\nContent-Type: ${m.contentType}\r\n`,
      "utf8",
    );
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(m.prefix === -1 ? head.length : m.prefix);
    let payload = Buffer.concat([prefix, head, m.body]);
    if (m.cut !== -1) payload = payload.subarray(0, m.cut);
    return {
      payload: new Uint8Array(payload),
      note: `binary ${m.path} prefix ${m.prefix === -1 ? "ok" : m.prefix}${m.cut === -1 ? "" : ` cut ${m.cut}`}`,
    };
  });

const messageArb = fc.oneof(
  speechTextArb.map((m) => ({ ...m, opcode: 0x1 })),
  speechBinaryArb.map((m) => ({ ...m, opcode: 0x2 })),
  bytesArb(300).map((payload) => ({ payload, opcode: 0x1, note: "text random" })),
  bytesArb(300).map((payload) => ({ payload, opcode: 0x2, note: "binary random" })),
);

const frameArb: fc.Arbitrary<FrameSpec[]> = fc.oneof(
  // A whole message in one frame, sometimes with bits flipped.
  {
    weight: 4,
    arbitrary: fc
      .record({
        m: messageArb,
        rsv: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, fc.constantFrom(0x40, 0x20, 0x10, 0x70)),
        masked: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, fc.constant(false)),
      })
      .map(({ m, rsv, masked }) => [
        {
          frame: { opcode: m.opcode, payload: m.payload, rsv, masked },
          note: `${m.note}${rsv ? ` rsv ${rsv}` : ""}${masked ? "" : " unmasked"}`,
        },
      ]),
  },
  // A message in fragments, perhaps with a control frame between them.
  {
    weight: 2,
    arbitrary: fc
      .record({
        m: messageArb,
        cuts: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        ping: fc.boolean(),
        badContinuation: fc.boolean(),
      })
      .map(({ m, cuts, ping, badContinuation }) => {
        const points = [...new Set(cuts.map((c) => c % (m.payload.length + 1)))].sort((a, b) => a - b);
        const parts: Uint8Array[] = [];
        let from = 0;
        for (const p of [...points, m.payload.length]) {
          parts.push(m.payload.subarray(from, Math.max(from, p)));
          from = Math.max(from, p);
        }
        const frames: FrameSpec[] = parts.map((payload, i) => ({
          frame: { opcode: i === 0 || (badContinuation && i === 1) ? m.opcode : 0x0, payload, fin: i === parts.length - 1 },
          note: `${m.note} fragment ${i + 1}/${parts.length}`,
        }));
        if (ping && frames.length > 1)
          frames.splice(1, 0, { frame: { opcode: 0x9, payload: new Uint8Array([1, 2]) }, note: "ping between fragments" });
        return frames;
      }),
  },
  // Any frame at all.
  {
    weight: 3,
    arbitrary: fc
      .record({
        opcode: fc.integer({ min: 0, max: 15 }),
        fin: fc.boolean(),
        rsv: fc.constantFrom(0, 0, 0, 0x40, 0x20, 0x10),
        masked: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, fc.constant(false)),
        payload: bytesArb(200),
        lengthDelta: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: -8, max: 8 })),
      })
      .map(({ opcode, fin, rsv, masked, payload, lengthDelta }) => [
        {
          frame: { opcode, fin, rsv, masked, payload, announcedLength: Math.max(0, payload.length + lengthDelta) },
          note: `opcode ${opcode}${fin ? "" : " no-fin"}${rsv ? ` rsv ${rsv}` : ""}${masked ? "" : " unmasked"}${lengthDelta ? ` length ${lengthDelta > 0 ? "+" : ""}${lengthDelta}` : ""}`,
        },
      ]),
  },
  // Control frames.
  {
    weight: 2,
    arbitrary: fc
      .record({ opcode: fc.constantFrom(0x9, 0xa), payload: bytesArb(130) })
      .map(({ opcode, payload }) => [{ frame: { opcode, payload }, note: `${opcode === 0x9 ? "ping" : "pong"} ${payload.length} bytes` }]),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        code: fc.oneof(fc.constantFrom(...clientCloseCodes), fc.constantFrom(0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535)),
        reason: fc.oneof(
          fc.string({ maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s, "utf8"))),
          bytesArb(130),
        ),
        shape: fc.constantFrom("code+reason", "code", "empty", "one-byte"),
      })
      .map(({ code, reason, shape }) => {
        const c = Buffer.alloc(2);
        c.writeUInt16BE(code);
        const payload =
          shape === "empty"
            ? new Uint8Array()
            : shape === "one-byte"
              ? new Uint8Array([code & 0xff])
              : shape === "code"
                ? new Uint8Array(c)
                : new Uint8Array(Buffer.concat([c, reason]));
        return [
          {
            frame: { opcode: 0x8, payload },
            note: `close ${shape === "empty" || shape === "one-byte" ? shape : code} (${payload.length} bytes)`,
          },
        ];
      }),
  },
  // Lengths that lie a lot: 64-bit lengths, over the message limit.
  {
    weight: 1,
    arbitrary: fc
      .record({
        opcode: fc.constantFrom(0x1, 0x2, 0x9),
        announced: fc.constantFrom(126, 65_535, 65_536, 1 << 20, (1 << 20) + 1, 60 * 1024 * 1024, 2 ** 31, 2 ** 40),
        payload: fc.uint8Array({ maxLength: 64 }),
      })
      .map(({ opcode, announced, payload }) => [
        { frame: { opcode, payload, announcedLength: announced }, note: `opcode ${opcode} announcing ${announced}` },
      ]),
  },
  // Raw bytes where a frame header should be.
  {
    weight: 1,
    arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 24 }).map((raw) => [{ raw, note: "raw bytes" }]),
  },
);

export interface FramesCase {
  frames: FrameSpec[];
  /** Sent as one write, or frame by frame. */
  oneWrite: boolean;
}

/** A speech protocol message as a masked frame: headers, a blank line, a body (text), or the binary layout. */
function speechMessage(kind: "text" | "binary", headers: string, body: Uint8Array): Frame {
  if (kind === "text") return { opcode: 0x1, payload: new Uint8Array(Buffer.concat([Buffer.from(`${headers}\r\n`), body])) };
  const head = Buffer.from(headers);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(head.length);
  return { opcode: 0x2, payload: new Uint8Array(Buffer.concat([prefix, head, body])) };
}

/**
 * A valid start, so the frames after it meet a session in progress: speech.config, then a turn's
 * audio (its RIFF header and some silence), perhaps its end (an empty audio message).
 */
const validStartArb = fc
  .record({ stage: fc.constantFrom("none", "config", "audio", "turn"), requestId: uuid32, silence: fc.integer({ min: 0, max: 6_400 }) })
  .map(({ stage, requestId, silence }): FrameSpec[] => {
    if (stage === "none") return [];
    const ts = new Date(0).toISOString();
    const frames: FrameSpec[] = [
      {
        frame: speechMessage(
          "text",
          `Path: speech.config\r\nX-RequestId: ${requestId}\r\nX-Timestamp: ${ts}\r\nContent-Type: application/json\r\n`,
          new Uint8Array(Buffer.from('{"context":{"system":{"version":"1.0.00000"}}}')),
        ),
        note: "valid speech.config",
      },
    ];
    if (stage === "config") return frames;
    const audioHead = `Path: audio\r\nX-RequestId: ${requestId}\r\nX-Timestamp: ${ts}\r\nContent-Type: audio/x-wav\r\n`;
    frames.push({ frame: speechMessage("binary", audioHead, new Uint8Array(riff)), note: "valid audio header" });
    frames.push({ frame: speechMessage("binary", audioHead, new Uint8Array(silence)), note: `${silence} bytes of silence` });
    if (stage === "turn") frames.push({ frame: speechMessage("binary", audioHead, new Uint8Array()), note: "end of audio" });
    return frames;
  });

export const framesCaseArb: fc.Arbitrary<FramesCase> = fc.record({
  frames: fc
    .tuple(validStartArb, fc.array(frameArb, { minLength: 1, maxLength: 8 }))
    .map(([start, groups]) => [...start, ...groups.flat()]),
  oneWrite: fc.boolean(),
});

/**
 * The code the first close frame in the bytes sent carries, read as the server reads the stream
 * (lengths that lie and raw bytes included): the server echoes it. An empty close is echoed empty,
 * which the client reads as "no status", 1005.
 */
function echoedCode(stream: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= stream.length) {
    const b0 = stream[at] as number;
    const b1 = stream[at + 1] as number;
    let len = b1 & 0x7f;
    let offset = at + 2;
    if (len === 126) {
      if (offset + 2 > stream.length) return undefined;
      len = stream.readUInt16BE(offset);
      offset += 2;
    } else if (len === 127) {
      if (offset + 8 > stream.length) return undefined;
      len = Number(stream.readBigUInt64BE(offset));
      offset += 8;
    }
    const mask = b1 & 0x80 ? stream.subarray(offset, offset + 4) : undefined;
    if (mask) offset += 4;
    if (offset + len > stream.length) return undefined;
    if ((b0 & 0x0f) === 0x8) {
      if (len === 0) return 1005;
      if (len < 2) return undefined;
      const hi = (stream[offset] as number) ^ (mask?.[0] ?? 0);
      const lo = (stream[offset + 1] as number) ^ (mask?.[1] ?? 0);
      return (hi << 8) | lo;
    }
    at = offset + len;
  }
  return undefined;
}

function describeFrames(c: FramesCase): string {
  return `${c.oneWrite ? "one write" : "frame by frame"}: ${c.frames.map((f) => f.note).join(" | ")}`;
}

const framesRunner: Runner<FramesCase> = {
  property: "frames",
  arbitrary: framesCaseArb,
  describe: describeFrames,
  async run(mock, c) {
    const ws = await RawWebSocket.open(mock);
    const sent: Buffer[] = [];
    try {
      // Each frame is encoded once, so the error shows the exact bytes sent (masks are random).
      for (const f of c.frames) sent.push("raw" in f ? Buffer.from(f.raw) : encodeFrame(f.frame));
      if (c.oneWrite) ws.send(Buffer.concat(sent));
      else for (const b of sent) ws.send(b);
      const end = await ws.ending(600);
      const fail = (why: string): never => {
        throw new Error(
          `${why}\n  connection: ${ws.connectionId}\n  frames: ${describeFrames(c)}\n  bytes sent after the handshake: ${showBytes(Buffer.concat(sent), 2_000)}`,
        );
      };
      if (end.kind === "dropped") fail("the server dropped the connection without a close frame");
      if (end.kind === "close") {
        if (end.code === 1011) fail(`closed 1011 (internal error): ${JSON.stringify(end.reason)}`);
        if (!serverCloseCodes.has(end.code) && echoedCode(Buffer.concat(sent)) !== end.code)
          fail(`closed with unexpected code ${end.code}: ${JSON.stringify(end.reason)}`);
        return `close ${end.code}`;
      }
      return "open";
    } finally {
      ws.destroy();
    }
  },
};

export function fuzzFrames(mock: SpawnedMock, opts: FuzzOptions = {}): Promise<FuzzReport> {
  return fuzz(mock, framesRunner, opts);
}
