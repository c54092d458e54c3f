/**
 * One recognition turn as the bench sends it, every message built with the protocol codecs and
 * framed once per session before the measured part: `speech.config`, `speech.context`, the RIFF
 * header, the clip's PCM in SDK-sized chunks, then (written separately, so its send time can be
 * taken) the empty end-of-audio message, and `telemetry` after `turn.end`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { encodeBinaryMessage } from "../../mock-server/protocol/binary-message.ts";
import type { HeaderInit } from "../../mock-server/protocol/headers.ts";
import { RIFF_HEADER_BYTES, writeRiffHeader } from "../../mock-server/protocol/riff.ts";
import { encodeTextMessage } from "../../mock-server/protocol/text-message.ts";
import { root } from "../servers.ts";
import { maskedFrame, Opcode } from "./ws-frames.ts";

/** PCM bytes per audio message: 100 ms of 16 kHz 16-bit mono, what the JS SDK sends. */
export const chunkBytes = 3200;

/** The clip every turn streams: one sentence, about 2 s of audio (21 chunks). */
export const benchClip = "remind-me.wav";

export interface Clip {
  name: string;
  pcm: Uint8Array;
  /** The first phrase scripted for the clip in fixtures/transcripts.json: the DisplayText to expect. */
  displayText: string;
}

/** A clip of fixtures/audio and what speechmock must recognise in it (looked up by its PCM's SHA-256). */
export function loadClip(name: string): Clip {
  const pcm = new Uint8Array(readFileSync(`${root}fixtures/audio/${name}`)).subarray(RIFF_HEADER_BYTES);
  const sha = createHash("sha256").update(pcm).digest("hex");
  const file = JSON.parse(readFileSync(`${root}fixtures/transcripts.json`, "utf8")) as {
    transcripts: Record<string, { phrases: { display: string }[] }>;
  };
  const displayText = file.transcripts[sha]?.phrases[0]?.display;
  if (displayText === undefined)
    throw new Error(`No transcript in fixtures/transcripts.json for fixtures/audio/${name} (PCM SHA-256 ${sha})`);
  return { name, pcm, displayText };
}

/** The frames of one turn, ready to write. */
export interface TurnFrames {
  /** speech.config (on a connection's first turn), speech.context, the RIFF header and every PCM chunk, in one buffer. */
  stream: Buffer;
  /** The audio message with headers and no payload. */
  endOfAudio: Buffer;
  telemetry: Buffer;
}

// What the JS SDK sends, trimmed: the mock requires JSON objects, and the sizes stay realistic.
const speechConfig = JSON.stringify({
  context: {
    system: { name: "SpeechSDK", version: "1.52.0", build: "JavaScript", lang: "JavaScript" },
    os: { platform: "Node", name: "speechmock-bench", version: "1" },
    audio: { source: { bitspersample: 16, channelcount: 1, connectivity: "Unknown", samplerate: 16000, type: "Stream" } },
  },
});
const speechContext = JSON.stringify({ phraseDetection: { mode: "Interactive" }, phraseOutput: { format: "Simple" } });
const telemetryBody = JSON.stringify({ Metrics: [], ReceivedMessages: { "turn.start": 1, "speech.phrase": 1, "turn.end": 1 } });

export function turnFrames(requestId: string, clip: Clip, first: boolean): TurnFrames {
  const timestamp = new Date().toISOString();
  const text = (path: string, body: string) =>
    maskedFrame(
      Opcode.text,
      encodeTextMessage({
        headers: { Path: path, "X-RequestId": requestId, "X-Timestamp": timestamp, "Content-Type": "application/json" },
        body,
      }),
    );
  const audioHeaders: HeaderInit = { Path: "audio", "X-RequestId": requestId, "X-Timestamp": timestamp };
  const audio = (payload?: Uint8Array, headers: HeaderInit = audioHeaders) =>
    maskedFrame(Opcode.binary, encodeBinaryMessage({ headers, payload }));
  const frames = [
    ...(first ? [text("speech.config", speechConfig)] : []),
    text("speech.context", speechContext),
    audio(writeRiffHeader(), { ...audioHeaders, "Content-Type": "audio/x-wav" }),
  ];
  for (let at = 0; at < clip.pcm.byteLength; at += chunkBytes) frames.push(audio(clip.pcm.subarray(at, at + chunkBytes)));
  return { stream: Buffer.concat(frames), endOfAudio: audio(), telemetry: text("telemetry", telemetryBody) };
}
