import t from "tap";
import { parseFingerprint } from "../stt/fingerprint.ts";
import { builtinTranscripts } from "./builtin.ts";
import { phraseForFingerprint } from "./lookup.ts";
import type { Phrase } from "./schema.ts";
import { TranscriptStore } from "./store.ts";

const builtin = builtinTranscripts();
const [remindSha, remindPhrases] = [...builtin.bySha256].find(([, p]) => p[0]?.display.startsWith("Remind")) ?? [];
const [helloSha, helloPhrases] = [...builtin.bySha256].find(([, p]) => p[0]?.display === "Hello world.") ?? [];
const remind = parseFingerprint(remindPhrases?.[0]?.fingerprint);
const hello = parseFingerprint(helloPhrases?.[0]?.fingerprint);
const heard = (store: TranscriptStore, fp = remind) => phraseForFingerprint(store.current, fp)?.phrase.display;
const other = (display: string, fingerprint?: string): Phrase => ({ display, lexical: "x", itn: "x", maskedItn: "x", fingerprint });

t.test("starts with every fingerprint of the transcripts file", async (t) => {
  const store = new TranscriptStore(builtin);
  t.equal(store.current.byFingerprint.size, 5);
  t.equal(heard(store), "Remind me to buy 5 pencils.");
});

t.test("a scripted clip's fingerprints replace the ones it had, and others are kept", async (t) => {
  const store = new TranscriptStore(builtin);
  const index = store.current.byFingerprint;
  store.scriptClip(remindSha ?? "", [other("Remind me later.", remindPhrases?.[0]?.fingerprint)]);
  t.equal(store.current.byFingerprint, index, "the same index, changed in place: turns hold it");
  t.equal(heard(store), "Remind me later.");
  t.equal(heard(store, hello), "Hello world.");
  t.equal(index.size, 5);
  store.scriptClip(remindSha ?? "", [other("Without a fingerprint.")]);
  t.equal(heard(store), undefined);
  t.equal(index.size, 4);
});

t.test("a new clip's fingerprints are added; unscripting it removes them", async (t) => {
  const store = new TranscriptStore(builtin);
  const sha = "f".repeat(64);
  store.scriptClip(sha.toUpperCase(), [other("Hello again.", helloPhrases?.[0]?.fingerprint)]);
  t.equal(store.current.byFingerprint.size, 6);
  t.equal(store.unscriptClip(sha), true);
  t.equal(store.current.byFingerprint.size, 5);
  t.equal(heard(store, hello), "Hello world.");
  t.equal(store.unscriptClip(sha), false, "nothing left to unscript");
});

t.test("unscripting a file's clip brings its fingerprints back; reset brings all back", async (t) => {
  const store = new TranscriptStore(builtin);
  store.scriptClip(remindSha ?? "", [other("Gone.")]);
  store.scriptClip(helloSha ?? "", [other("Gone too.")]);
  t.equal(store.current.byFingerprint.size, 3);
  t.equal(store.unscriptClip(remindSha ?? ""), true);
  t.equal(heard(store), "Remind me to buy 5 pencils.");
  t.equal(heard(store, hello), undefined);
  store.reset();
  t.equal(store.current.byFingerprint.size, 5);
  t.equal(heard(store, hello), "Hello world.");
});
