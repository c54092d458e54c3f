import t from "tap";
import { oggOpusFile } from "../../../test/support/ogg-opus.ts";
import { OggReader } from "./ogg-reader.ts";

function read(bytes: Uint8Array, size = bytes.length, maxMs?: number): number {
  const reader = new OggReader(maxMs);
  for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
  reader.end();
  return reader.audioMs;
}

t.test("an Ogg Opus file is timed by its last granule position less the pre-skip", async (t) => {
  t.equal(read(oggOpusFile({ ms: 2_000 })), 2_000);
  t.equal(read(oggOpusFile({ ms: 2_500, preSkip: 312 })), 2_500);
  t.equal(read(oggOpusFile({ ms: 0 })), 0);
});

t.test("the result does not depend on how the body is split", async (t) => {
  const file = oggOpusFile({ ms: 3_020 });
  for (const size of [1, 26, 27, 28, 100, 4096]) t.equal(read(file, size), 3_020, `pieces of ${size}`);
});

t.test("what is not Ogg Opus is refused", async (t) => {
  t.throws(() => read(new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt and more than 27 bytes")), {
    reason: "request.audio_invalid",
    message: /page 1 does not start with "OggS"/,
  });
  t.throws(() => read(oggOpusFile({ ms: 1_000, magic: "OpusHexd" })), { reason: "request.audio_invalid", message: /not OpusHead/ });
  t.throws(() => read(new Uint8Array(0)), { reason: "request.audio_invalid", message: /The body is empty/ });
  const file = oggOpusFile({ ms: 1_000 });
  t.throws(() => read(file.subarray(0, file.length - 10)), { reason: "request.audio_invalid", message: /ends in the middle of page 3/ });
});

t.test("stereo Opus is refused as an unsupported format", async (t) => {
  t.throws(() => read(oggOpusFile({ ms: 1_000, channels: 2 })), {
    reason: "request.audio_format_unsupported",
    message: /2 channels; expected mono/,
  });
});

t.test("at most 60 s of audio, checked page by page", async (t) => {
  t.equal(read(oggOpusFile({ ms: 60_000 }), 4096), 60_000);
  t.throws(() => read(oggOpusFile({ ms: 61_000 }), 4096), { reason: "request.audio_too_long", message: /longer than 60 s/ });
});
