import fc from "fast-check";
import t from "tap";
import { samplesPerMs, samplesToTicks } from "./ticks.ts";
import { defaultVadOptions, EnergyVad, resolveVadOptions, rmsDbfs, type VadEvent, type VadOptions, vadFrameSamples } from "./vad.ts";

/** A piece of synthetic audio: a 440 Hz sine of `amplitude` (of full scale), zeros, or low noise. */
type Piece = { readonly ms: number; readonly tone?: number; readonly noise?: boolean };
const tone = (ms: number, amplitude = 0.3): Piece => ({ ms, tone: amplitude });
const silence = (ms: number): Piece => ({ ms });
const noise = (ms: number): Piece => ({ ms, noise: true });

/** 16 kHz 16-bit little-endian mono PCM of the pieces, one after the other. */
const pcm = (...pieces: Piece[]): Uint8Array => {
  const samples = pieces.reduce((sum, piece) => sum + piece.ms * samplesPerMs, 0);
  const bytes = new Uint8Array(samples * 2);
  const view = new DataView(bytes.buffer);
  let n = 0;
  let seed = 12345;
  for (const piece of pieces) {
    for (let i = 0; i < piece.ms * samplesPerMs; i++, n++) {
      let value = 0;
      if (piece.tone !== undefined) value = Math.round(piece.tone * 32767 * Math.sin((2 * Math.PI * 440 * n) / 16_000));
      if (piece.noise) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31; // a fixed LCG: uniform in [-50, 50], about -61 dBFS
        value = (seed % 101) - 50;
      }
      view.setInt16(n * 2, value, true);
    }
  }
  return bytes;
};

const ms = (milliseconds: number): number => samplesToTicks(milliseconds * samplesPerMs);
const start = (milliseconds: number): VadEvent => ({ type: "speechStart", offsetTicks: ms(milliseconds) });
const end = (milliseconds: number): VadEvent => ({ type: "speechEnd", offsetTicks: ms(milliseconds) });

/** All events of `bytes` pushed in chunks of the given sizes (cycled), then ended. */
const detect = (bytes: Uint8Array, options: Partial<VadOptions> = {}, chunkSizes: number[] = [3200]): VadEvent[] => {
  const vad = new EnergyVad(options);
  const events: VadEvent[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = chunkSizes[k % chunkSizes.length] as number;
    events.push(...vad.push(bytes.subarray(at, at + size)));
    at += size;
  }
  events.push(...vad.end());
  return events;
};

t.test("ticks", async (t) => {
  t.test("one sample lasts 625 ticks and one millisecond 10,000", async (t) => {
    t.equal(samplesToTicks(1), 625);
    t.equal(ms(1), 10_000);
    t.equal(ms(500), 5_000_000);
  });
});

t.test("rmsDbfs", async (t) => {
  t.test("measures a full-scale square wave as 0 dBFS and a 0.3 sine as about -13.5 dBFS", async (t) => {
    t.equal(rmsDbfs(32768 ** 2 * 4, 4), 0);
    const sine = new DataView(pcm(tone(20)).buffer);
    let sum = 0;
    for (let i = 0; i < vadFrameSamples; i++) sum += sine.getInt16(i * 2, true) ** 2;
    t.ok(Math.abs(rmsDbfs(sum, vadFrameSamples) - 20 * Math.log10(0.3 / Math.SQRT2)) < 0.05);
  });

  t.test("measures digital silence as -Infinity", async (t) => {
    t.equal(rmsDbfs(0, 320), Number.NEGATIVE_INFINITY);
  });
});

t.test("EnergyVad", async (t) => {
  t.test("hears nothing in pure silence, and counts its length", async (t) => {
    const vad = new EnergyVad();
    t.strictSame(vad.push(pcm(silence(3000))), []);
    t.equal(vad.audioTicks, 30_000_000);
    t.strictSame(vad.end(), []);
  });

  t.test("hears nothing in low noise under the threshold", async (t) => {
    t.strictSame(detect(pcm(noise(3000))), []);
  });

  t.test("finds one tone burst from 0.5 s to 1.5 s as one segment with exact offsets", async (t) => {
    t.strictSame(detect(pcm(silence(500), tone(1000), silence(1500))), [start(500), end(1500)]);
  });

  t.test("finds the same segment over a noise floor", async (t) => {
    t.strictSame(detect(pcm(noise(500), tone(1000), noise(1500))), [start(500), end(1500)]);
  });

  t.test("dates a burst that is not frame-aligned to within one frame", async (t) => {
    const events = detect(pcm(silence(510), tone(980), silence(1510)));
    t.equal(events.length, 2);
    t.match(events, [{ type: "speechStart" }, { type: "speechEnd" }]);
    t.ok(Math.abs((events[0]?.offsetTicks as number) - ms(510)) <= ms(20), `start ${events[0]?.offsetTicks}`);
    t.ok(Math.abs((events[1]?.offsetTicks as number) - ms(1490)) <= ms(20), `end ${events[1]?.offsetTicks}`);
  });

  t.test("finds two bursts separated by 1 s of silence as two segments", async (t) => {
    const audio = pcm(silence(500), tone(1000), silence(1000), tone(800), silence(1000));
    t.strictSame(detect(audio), [start(500), end(1500), start(2500), end(3300)]);
  });

  t.test("joins two bursts separated by 200 ms, less than the hangover, into one segment", async (t) => {
    const audio = pcm(silence(500), tone(1000), silence(200), tone(800), silence(1000));
    t.strictSame(detect(audio), [start(500), end(2500)]);
  });

  t.test("ends a segment after exactly segmentationSilenceMs of silence, not one frame sooner", async (t) => {
    t.strictSame(detect(pcm(tone(300), silence(480), tone(300), silence(600))), [start(0), end(1080)]);
    t.strictSame(detect(pcm(tone(300), silence(500), tone(300), silence(600))), [start(0), end(300), start(800), end(1100)]);
  });

  t.test("splits at a shorter pause when segmentationSilenceMs is lowered", async (t) => {
    const audio = pcm(silence(500), tone(1000), silence(200), tone(800), silence(1000));
    t.strictSame(detect(audio, { segmentationSilenceMs: 100 }), [start(500), end(1500), start(1700), end(2500)]);
  });

  t.test("reports speechEnd only once the hangover has passed", async (t) => {
    const vad = new EnergyVad();
    t.strictSame(vad.push(pcm(tone(200))), [start(0)]);
    t.strictSame(vad.push(pcm(silence(480))), []);
    t.equal(vad.speaking, true);
    t.strictSame(vad.push(pcm(silence(20))), [end(200)]);
    t.equal(vad.speaking, false);
  });

  t.test("reports speechStart once 60 ms of voiced frames are heard, dated to the first", async (t) => {
    const vad = new EnergyVad();
    t.strictSame(vad.push(pcm(silence(100))), []);
    const frame = pcm(tone(20));
    t.strictSame(vad.push(frame), []);
    t.strictSame(vad.push(frame), []);
    t.strictSame(vad.push(frame), [start(100)]);
  });

  t.test("does not take a click shorter than 60 ms for speech, but takes 60 ms", async (t) => {
    t.strictSame(detect(pcm(silence(500), tone(40), silence(1000))), []);
    t.strictSame(detect(pcm(silence(500), tone(60), silence(1000))), [start(500), end(560)]);
  });

  t.test("hears a 20 ms click when speechStartFrames is 1", async (t) => {
    t.strictSame(detect(pcm(silence(500), tone(20), silence(1000)), { speechStartFrames: 1 }), [start(500), end(520)]);
  });

  t.test("needs consecutive voiced frames: alternating 40 ms tone and silence is not speech", async (t) => {
    const pieces = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? tone(40) : silence(20)));
    t.strictSame(detect(pcm(...pieces)), []);
  });

  t.test("ignores a tone under the threshold and hears it when the threshold is lowered", async (t) => {
    const quiet = pcm(silence(500), tone(1000, 0.003), silence(1000)); // about -53.5 dBFS
    t.strictSame(detect(quiet), []);
    t.strictSame(detect(quiet, { thresholdDbfs: -60 }), [start(500), end(1500)]);
  });

  t.test("closes a segment still open at end() at the end of its last voiced frame", async (t) => {
    const vad = new EnergyVad();
    t.strictSame(vad.push(pcm(silence(500), tone(1000))), [start(500)]);
    t.strictSame(vad.end(), [end(1500)]);
  });

  t.test("judges a partial last frame on its own samples at end()", async (t) => {
    t.strictSame(detect(pcm(tone(1010))), [start(0), end(1010)]);
    t.strictSame(detect(pcm(tone(1000), silence(10))), [start(0), end(1000)]);
  });

  t.test("closes at the last voiced frame when audio ends during the hangover", async (t) => {
    t.strictSame(detect(pcm(tone(500), silence(300))), [start(0), end(500)]);
  });

  t.test("carries a sample split across chunks and drops a final odd byte", async (t) => {
    const vad = new EnergyVad();
    const audio = pcm(tone(100));
    vad.push(audio.subarray(0, 1));
    t.equal(vad.audioTicks, 0);
    vad.push(audio.subarray(1, 4));
    t.equal(vad.audioTicks, 1250);
    vad.push(new Uint8Array(0));
    t.equal(vad.audioTicks, 1250);
    vad.push(audio.subarray(4, 7));
    t.equal(vad.audioTicks, 1875);
    vad.end();
    t.equal(vad.audioTicks, 1875);
  });

  t.test("reads samples as signed little-endian: a full-scale negative square wave is voiced", async (t) => {
    const bytes = new Uint8Array(vadFrameSamples * 2 * 3);
    for (let i = 0; i < bytes.length; i += 2) bytes[i + 1] = 0x80; // bytes 00 80: -32768, but 128 if read big-endian
    t.strictSame(detect(bytes), [start(0), end(60)]);
    t.strictSame(detect(bytes.map((_, i) => (i % 2 === 0 ? 0x80 : 0))), []); // bytes 80 00: 128, about -48 dBFS
  });

  t.test("refuses audio after end() and a second end()", async (t) => {
    const vad = new EnergyVad();
    vad.end();
    t.throws(() => vad.push(new Uint8Array(2)), { message: /stream has ended/ });
    t.throws(() => vad.end(), { message: /already ended/ });
  });

  t.test("gives the same events however the audio is chunked, odd sizes included", async (t) => {
    const piece = fc.oneof(
      fc.integer({ min: 1, max: 60 }).map((n) => tone(n * 10)),
      fc.integer({ min: 1, max: 60 }).map((n) => silence(n * 10)),
      fc.integer({ min: 1, max: 30 }).map((n) => noise(n * 10)),
    );
    let runsWithSpeech = 0;
    t.doesNotThrow(() =>
      fc.assert(
        fc.property(
          fc.array(piece, { minLength: 1, maxLength: 8 }),
          fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 10 }),
          fc.boolean(),
          (pieces, chunkSizes, oddTail) => {
            const whole = pcm(...pieces);
            const audio = oddTail ? new Uint8Array([...whole, 0x7f]) : whole;
            const reference = detect(audio, {}, [audio.length]);
            const chunked = detect(audio, {}, chunkSizes);
            if (JSON.stringify(chunked) !== JSON.stringify(reference)) {
              throw new Error(`chunked ${JSON.stringify(chunked)} but whole ${JSON.stringify(reference)}`);
            }
            // The events are well formed too: alternating start and end, in order, within the audio.
            reference.forEach((event, i) => {
              if (event.type !== (i % 2 === 0 ? "speechStart" : "speechEnd")) throw new Error(`event ${i} is ${event.type}`);
              if (event.offsetTicks < (reference[i - 1]?.offsetTicks ?? 0) || event.offsetTicks > ms(whole.length / 32)) {
                throw new Error(`event ${i} at ${event.offsetTicks} is out of order or past the audio`);
              }
            });
            if (reference.length > 0) runsWithSpeech++;
          },
        ),
        { numRuns: 200 },
      ),
    );
    t.ok(runsWithSpeech > 50, `${runsWithSpeech} of 200 runs had speech`);
  });
});

t.test("resolveVadOptions", async (t) => {
  t.test("fills in the defaults: -45 dBFS, 3 frames, 500 ms", async (t) => {
    t.strictSame(resolveVadOptions(), { thresholdDbfs: -45, speechStartFrames: 3, segmentationSilenceMs: 500 });
    t.strictSame(resolveVadOptions({ segmentationSilenceMs: 800 }), { ...defaultVadOptions, segmentationSilenceMs: 800 });
    t.ok(Object.isFrozen(resolveVadOptions()));
  });

  const invalid: [Partial<VadOptions>, string][] = [
    [{ thresholdDbfs: Number.NaN }, "Cannot use VAD option thresholdDbfs: NaN is not a finite number at most 0"],
    [{ thresholdDbfs: 3 }, "Cannot use VAD option thresholdDbfs: 3 is not a finite number at most 0"],
    [{ thresholdDbfs: Number.NEGATIVE_INFINITY }, "Cannot use VAD option thresholdDbfs: -Infinity is not a finite number at most 0"],
    [{ thresholdDbfs: "-45" as unknown as number }, 'Cannot use VAD option thresholdDbfs: "-45" is not a finite number at most 0'],
    [{ speechStartFrames: 0 }, "Cannot use VAD option speechStartFrames: 0 is not a positive integer"],
    [{ speechStartFrames: 1.5 }, "Cannot use VAD option speechStartFrames: 1.5 is not a positive integer"],
    [{ segmentationSilenceMs: -1 }, "Cannot use VAD option segmentationSilenceMs: -1 is not a positive integer of milliseconds"],
    [{ segmentationSilenceMs: 0 }, "Cannot use VAD option segmentationSilenceMs: 0 is not a positive integer of milliseconds"],
  ];
  for (const [options, message] of invalid) {
    t.test(`refuses ${message.slice("Cannot use VAD option ".length)}`, async (t) => {
      t.throws(() => resolveVadOptions(options), new RangeError(message));
      t.throws(() => new EnergyVad(options), new RangeError(message));
    });
  }
});
