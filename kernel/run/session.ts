import type { IOPubMessage } from "../notebook/outputs.js";

export interface CellOutcome {
  status: "ok" | "error" | "timeout";
  executionCount: number | null;
}

/** Something that runs cells and streams their iopub messages: the in-process kernel, or a Jupyter Server. */
export interface Session {
  /** Runs one cell; `onMessage` sees every output message before the promise settles. */
  execute(code: string, onMessage: (m: IOPubMessage) => void, timeoutMs: number): Promise<CellOutcome>;
  close(): Promise<void>;
}

/** A run that cannot start or continue for a reason the user can fix: shown as one line, exit 1. */
export class CommandError extends Error {
  override name = "CommandError";
}
