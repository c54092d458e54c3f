/**
 * Words the mock treats as profane when a transcripts file names none. Deliberately short: the
 * service's own list is not public, and tests script the words they need. It lives here, with
 * the transcripts file it defaults, so the schema needs nothing from the speech-to-text code
 * (which imports the schema's types: the other way round was an import cycle).
 */
export const defaultProfaneWords: readonly string[] = Object.freeze(["damn", "hell", "shit", "fuck", "bitch", "bastard", "crap"]);
