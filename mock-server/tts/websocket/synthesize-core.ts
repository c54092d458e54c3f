/**
 * The session's `Synthesizer` on top of the mock's synthesis (`tts/synthesize.ts`): the format
 * by name, the SSML parsed, the audio made; every refusal turned into a `SynthesisError` that
 * closes `1007` with the service's reason (tts-and-timing.md 2.6).
 */
import type { MockContext } from "../../context.ts";
import { isSampleCodec, type OutputFormat, outputFormatNamed } from "../formats.ts";
import { parseSsml, SsmlError } from "../ssml.ts";
import { SynthesisError as CoreSynthesisError, synthesize } from "../synthesize.ts";
import { SynthesisError, type SynthesizedTurn, type Synthesizer } from "./synthesizer.ts";

/** UNCONFIRMED, the spec's default (2.6): the reason for a format the mock does not know or make. */
export const unsupportedFormatCloseReason = "Unsupported output format.";

/**
 * The Content-Type of an `audio` frame. UNCONFIRMED for PCM and G.711 (spec 2.3; mock:
 * `audio/x-wav`, which the SDK ignores); a compressed format's own otherwise (`audio/mpeg` seen).
 */
const frameContentType = (format: OutputFormat): string => (isSampleCodec(format) ? "audio/x-wav" : format.contentType);

export function coreSynthesizer(ctx: MockContext): Synthesizer {
  return ({ ssml, format: name }) => {
    const format = outputFormatNamed(name);
    if (format === undefined) {
      throw new SynthesisError(
        "ERR_FORMAT_UNSUPPORTED",
        `Cannot synthesize: output format ${JSON.stringify(name.slice(0, 64))} is not one the service documents`,
        unsupportedFormatCloseReason,
      );
    }
    let parsed: ReturnType<typeof parseSsml>;
    try {
      parsed = parseSsml(ssml);
    } catch (err) {
      if (err instanceof SsmlError) throw new SynthesisError("ERR_SSML_INVALID", `Cannot synthesize: ${err.message}`, err.message);
      throw err;
    }
    let result: ReturnType<typeof synthesize>;
    try {
      result = synthesize({ ssml: parsed, format, voices: ctx.voices });
    } catch (err) {
      if (err instanceof CoreSynthesisError) {
        if (err.code === "voice.unknown") throw new SynthesisError("ERR_VOICE_UNKNOWN", `Cannot synthesize: ${err.message}`, err.message);
        throw new SynthesisError("ERR_FORMAT_UNSUPPORTED", `Cannot synthesize: ${err.message}`, unsupportedFormatCloseReason);
      }
      throw err;
    }
    // The whole stream first: frames are cut from it at its average rate, each boundary placed before
    // the frame holding its offset (turn-plan.ts). Compressed bytes come as a promise.
    const turn = (audio: Uint8Array): SynthesizedTurn => ({
      audio: {
        audio,
        durationMs: result.durationMs,
        // A compressed stream is cut anywhere (the SDK joins the frames); PCM and G.711 on a sample.
        blockAlign: isSampleCodec(format) ? format.bitsPerSample / 8 : 1,
        marks: result.events,
      },
      contentType: frameContentType(format),
      summary: { voice: result.voice.shortName, textLength: result.textLength },
    });
    return result.audio().then(turn);
  };
}
