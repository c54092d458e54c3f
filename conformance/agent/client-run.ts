import type { ClientEvent } from "../contract.ts";

/** What one launch of a client produced, however it was launched. */
export interface ClientRun {
  /** null when killed by a signal, or for an in-process adapter. */
  exitCode: number | null;
  signal: string | null;
  /** The runner stopped it at the case's time limit. */
  timedOut: boolean;
  /** Why the client could not run or crashed (an in-process adapter's throw, a command that would not start). */
  crash?: string;
  events: ClientEvent[];
  /** Lines that broke the contract, each with why. */
  contractProblems: string[];
  stdout: string;
  stderr: string;
}
