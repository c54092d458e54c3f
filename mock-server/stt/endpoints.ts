/** The speech-to-text WebSocket paths the service (and so the mock) answers. */
export const recognitionModes = ["interactive", "conversation", "dictation"] as const;
export type RecognitionMode = (typeof recognitionModes)[number] | "universal";

export const speechPaths: ReadonlyArray<{ path: string; mode: RecognitionMode }> = [
  ...recognitionModes.map((mode) => ({ path: `/speech/recognition/${mode}/cognitiveservices/v1`, mode })),
  // The SDK's default for recognizeOnce and continuous recognition since 1.44.
  { path: "/stt/speech/universal/v2", mode: "universal" as const },
];
