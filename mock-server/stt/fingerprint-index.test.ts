import t from "tap";
import { padded, roundTrip48k, withGain } from "../../test/support/audio-transforms.ts";
import { fixturePcm } from "../../test/support/fixture-audio.ts";
import { fingerprintsOfClip, parseFingerprint, UtteranceFeatures } from "./fingerprint.ts";
import { FingerprintIndex, matchThreshold, minPrefixFrames } from "./fingerprint-index.ts";
import { msToTicks } from "./ticks.ts";

const pcmOf = fixturePcm;
const spoken = ["hello.wav", "remind-me.wav", "weather.wav", "two-utterances.wav"];
const known = spoken.flatMap((clip) => fingerprintsOfClip(pcmOf(clip)).map((u, i) => ({ name: `${clip}#${i}`, ...u })));
const fp = (name: string) => parseFingerprint(known.find((u) => u.name === name)?.fingerprint);

const indexOf = (names: readonly string[]) => {
  const index = new FingerprintIndex<string>();
  for (const name of names) index.add(fp(name), name);
  return index;
};
const all = known.map((u) => u.name);

t.test("match", async (t) => {
  t.test("finds each known utterance, scoring 1 for the same fingerprint", async (t) => {
    const index = indexOf(all);
    t.equal(index.size, 5);
    for (const name of all) t.same(index.match(fp(name)), { value: name, score: 1 });
  });

  t.test("a likely utterance is taken when it matches, and the others are scanned when it does not", async (t) => {
    const index = indexOf(all);
    const heard = fingerprintsOfClip(padded(withGain(pcmOf("weather.wav"), 0.7), 30, 800))[0]?.fingerprint;
    t.equal(index.match(parseFingerprint(heard), "weather.wav#0")?.value, "weather.wav#0");
    t.equal(index.match(parseFingerprint(heard), "hello.wav#0")?.value, "weather.wav#0", "a wrong guess costs a scan, not the match");
    t.equal(index.match(parseFingerprint(heard), "not known")?.value, "weather.wav#0");
  });

  t.test("finds nothing once the utterance is deleted: the others score under the threshold", async (t) => {
    const index = indexOf(all);
    t.equal(index.delete("hello.wav#0"), true);
    t.equal(index.delete("hello.wav#0"), false, "nothing left to delete");
    t.equal(index.size, 4);
    t.equal(index.match(fp("hello.wav#0")), undefined);
    index.clear();
    t.equal(index.size, 0);
    t.equal(index.match(fp("weather.wav#0")), undefined);
  });

  t.test("deletes every fingerprint added with a value, and only those", async (t) => {
    const index = new FingerprintIndex<{ id: number }>();
    const a = { id: 1 };
    const b = { id: 1 };
    index.add(fp("hello.wav#0"), a);
    index.add(fp("weather.wav#0"), a);
    index.add(fp("remind-me.wav#0"), b);
    t.equal(index.delete(a), true);
    t.equal(index.size, 1, "compared by identity: an equal object is another value");
    t.equal(index.match(fp("remind-me.wav#0"))?.value, b);
  });

  t.test("picks the best of several candidates above the threshold", async (t) => {
    const index = new FingerprintIndex<string>();
    const heard = parseFingerprint(fingerprintsOfClip(roundTrip48k(withGain(padded(pcmOf("hello.wav"), 5, 0), 0.7)))[0]?.fingerprint);
    index.add(heard, "the very same audio");
    index.add(fp("hello.wav#0"), "the original");
    t.same(index.match(heard), { value: "the very same audio", score: 1 });
    const other = index.match(fp("hello.wav#0"));
    t.equal(other?.value, "the original");
    t.ok((other?.score ?? 0) >= matchThreshold);
  });
});

t.test("matchPrefix", async (t) => {
  /** The first `ms` of each utterance of a clip, transformed, as a live turn sees it. */
  const prefixes = function* (transform: (pcm: Uint8Array) => Uint8Array) {
    for (const clip of spoken) {
      const pcm = transform(pcmOf(clip));
      const features = new UtteranceFeatures();
      features.push(pcm);
      for (const [i, u] of fingerprintsOfClip(pcm).entries()) {
        for (let ms = 100; u.startTicks + msToTicks(ms) <= u.endTicks; ms += 50) {
          yield {
            name: `${clip}#${i}`,
            ms,
            length: (u.endTicks - u.startTicks) / 1e4,
            fp: features.fingerprint(u.startTicks, u.startTicks + msToTicks(ms)),
          };
        }
      }
    }
  };
  const transforms: [string, (pcm: Uint8Array) => Uint8Array][] = [
    ["untouched", (p) => p],
    ["5 ms later, at 0.6x gain, through 48 kHz", (p) => roundTrip48k(withGain(padded(p, 5, 0), 0.6))],
  ];

  for (const [what, transform] of transforms) {
    t.test(`${what}: never names the wrong utterance, names the right one from 400 ms, with the share heard`, async (t) => {
      const index = indexOf(all);
      const problems: string[] = [];
      let named = 0;
      let total = 0;
      for (const prefix of prefixes(transform)) {
        const found = index.matchPrefix(prefix.fp);
        const at = `${prefix.name} at ${prefix.ms} ms`;
        total++;
        if (found === undefined) {
          if (prefix.ms >= 400) problems.push(`${at}: not named`);
          continue;
        }
        named++;
        if (prefix.ms < minPrefixFrames * 10) problems.push(`${at}: named before 300 ms`);
        if (found.value !== prefix.name) problems.push(`${at}: named ${found.value}`);
        if (Math.abs(found.fraction - prefix.ms / prefix.length) >= 0.05) problems.push(`${at}: ${found.fraction} heard`);
      }
      t.same(problems, []);
      t.comment(`${named} of ${total} prefixes named`);
    });
  }

  t.test("names nothing when two utterances start alike", async (t) => {
    const index = indexOf(all);
    index.add(fp("weather.wav#0"), "a second phrase with the same audio");
    const features = new UtteranceFeatures();
    features.push(pcmOf("weather.wav"));
    t.equal(index.matchPrefix(features.fingerprint(0, msToTicks(800))), undefined);
    index.delete("a second phrase with the same audio");
    t.equal(index.matchPrefix(features.fingerprint(0, msToTicks(800)))?.value, "weather.wav#0");
  });

  t.test("a partial utterance already much longer than a known one is not its start", async (t) => {
    const index = indexOf(["hello.wav#0"]);
    const features = new UtteranceFeatures();
    features.push(pcmOf("weather.wav"));
    t.equal(index.matchPrefix(features.fingerprint(0, msToTicks(1000))), undefined);
  });
});
