/**
 * Test support: each file of fixtures/invalid/transcripts/ and the exact message the transcripts
 * loader gives for it (after the file name). The loader's unit tests and the CLI's black-box tests
 * both hold the files to it.
 */
const at = `$.transcripts["0e6a00bcd60dfe2da2dace6413e59cf7df456b4d239a97075501d06506ec6610"]`;

export const invalidTranscripts: Readonly<Record<string, string>> = {
  "bad-confidence.json": `${at}.phrases[0].confidence: Expected a confidence between 0 and 1`,
  "bad-fallback-kind.json": `$.fallback.kind: Expected one of "noMatch"|"text"`,
  "bad-fingerprint.json": `${at}.phrases[0].fingerprint: Expected a fingerprint as "speechmock hash" prints it: character 15 ("+") is not base64url (A-Z, a-z, 0-9, "-", "_")`,
  "bad-sha.json": `$.transcripts["remind-me.wav"]: Expected a SHA-256 as 64 lower-case hex digits`,
  "fallback-without-text.json": "$.fallback.text: Invalid input: expected string, received undefined",
  "lexical-with-digits.json": `${at}.phrases[0].lexical: Expected the lexical form: lower-case words separated by single spaces, no punctuation, numbers as words`,
  "missing-display.json": `${at}.phrases[0].display: Invalid input: expected string, received undefined`,
  "no-phrases.json": `${at}.phrases: Expected at least one phrase`,
  "no-transcripts.json": "$.transcripts: Invalid input: expected record, received undefined",
  "profanity-with-space.json": "$.profanity[1]: Expected a single word (letters, digits, apostrophes)",
  "unknown-field.json": `${at}.phrases[0]: unknown field "text"`,
};
