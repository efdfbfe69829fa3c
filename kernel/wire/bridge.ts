// Messages between the kernel's main thread (which runs cells) and the wire worker thread
// (which owns the ZeroMQ sockets, so heartbeat and control stay responsive while a cell is busy).
import type { JupyterMessage } from "./message.js";

export type RequestChannel = "shell" | "control" | "stdin";
export type ReplyChannel = "shell" | "control" | "stdin" | "iopub";

/** Worker → main. */
export type WorkerEvent =
  | { type: "ready" }
  | { type: "request"; channel: RequestChannel; identities: Uint8Array[]; message: JupyterMessage }
  | { type: "shutdown"; restart: boolean }
  | { type: "closed" }
  | { type: "fatal"; error: string };

/** Main → worker. */
export type MainCommand =
  | { type: "send"; channel: ReplyChannel; identities: Uint8Array[]; message: JupyterMessage }
  | { type: "close" };
