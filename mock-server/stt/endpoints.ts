/** The speech-to-text WebSocket paths the service (and so the mock) answers. */
export const recognitionModes = ["interactive", "conversation", "dictation"] as const;
/** How one turn is recognised: one utterance (interactive) or one phrase per utterance. */
export type TurnMode = (typeof recognitionModes)[number];
/** From the path; `universal` takes each turn's mode from its `speech.context`. */
export type RecognitionMode = TurnMode | "universal";

export const speechPaths: ReadonlyArray<{ path: string; mode: RecognitionMode }> = [
  ...recognitionModes.map((mode) => ({ path: `/speech/recognition/${mode}/cognitiveservices/v1`, mode })),
  // The SDK's default for recognizeOnce and continuous recognition since 1.44.
  { path: "/stt/speech/universal/v2", mode: "universal" as const },
];
