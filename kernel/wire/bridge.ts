// Messages between the kernel's main thread (which runs cells) and the wire worker thread
// (which owns the ZeroMQ sockets, so heartbeat and control stay responsive while a cell is busy).
import type { MessagePort } from "node:worker_threads";
import type { ConnectionInfo } from "./connection.js";
import type { JupyterMessage } from "./message.js";

export type RequestChannel = "shell" | "control" | "stdin";
export type ReplyChannel = "shell" | "control" | "stdin" | "iopub";

export interface WorkerConfig {
  connection: ConnectionInfo;
  /** The kernel's session id, used in the header of every message it sends. */
  session: string;
  /** Slot 0 counts interrupt requests; the main thread compares it to detect new ones without a message. */
  interruptCounter: SharedArrayBuffer;
  /** Both directions go through this port so the main thread can drain it synchronously. */
  port: MessagePort;
}

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
