// Cell outputs in the order the cell produced them. An output whose content is async (a tensor
// on the GPU) holds back the ones after it, so `console.log(a); console.log(b)` never swaps;
// the kernel waits for the queue before it replies, so every output precedes `idle`.
import type { JsonObject, MessageHeader } from "../wire/message.js";
import { isPromiseLike } from "./mime.js";

/** Where an Output widget's capture() collects outputs (lib/widgets/containers.ts). */
const OUTPUT_CAPTURE = Symbol.for("gradlab.outputCapture");

/** An output message as nbformat stores it, for an Output widget; null for ones it does not hold. */
function asRecord(m: OutputMessage): JsonObject | null {
  const c = m.content as Record<string, unknown>;
  if (m.msgType === "stream") return { output_type: "stream", name: c["name"] as string, text: c["text"] as string };
  if (m.msgType === "display_data" || m.msgType === "execute_result") return { output_type: "display_data", data: c["data"] as JsonObject, metadata: (c["metadata"] as JsonObject) ?? {} };
  if (m.msgType === "error") return { output_type: "error", ename: c["ename"] as string, evalue: c["evalue"] as string, traceback: c["traceback"] as string[] };
  return null;
}

export interface OutputMessage {
  msgType: "stream" | "display_data" | "update_display_data" | "clear_output" | "execute_result" | "error" | "comm_open" | "comm_msg" | "comm_close";
  content: JsonObject;
  metadata?: JsonObject;
  buffers?: Uint8Array[];
}

export type SendOutput = (message: OutputMessage, parent: MessageHeader) => void;

export class Outputs {
  /** The request outputs belong to: the running cell, else the last one (late timer output). */
  parent: MessageHeader | null = null;
  private pending = 0;
  private tail: Promise<void> = Promise.resolve();
  /** The first output of a request whose async part failed, and why. */
  private failure: { parent: MessageHeader; error: unknown } | null = null;

  /**
   * `failed` makes the message sent in place of an output whose async part failed (a figure
   * whose x and y differ in length fails only when it is drawn): the student sees why where
   * the output would have been, and the cell fails (see failureOf).
   */
  constructor(
    private readonly sendNow: SendOutput,
    private readonly failed: (error: unknown) => OutputMessage,
  ) {}

  /**
   * `produced` is computed by the caller right away (so values are captured when the cell
   * asked to show them); only the sending waits for earlier async outputs.
   */
  push(produced: OutputMessage | null | Promise<OutputMessage | null>): void {
    const parent = this.parent;
    if (!parent) return;
    const capture = (globalThis as Record<symbol, unknown>)[OUTPUT_CAPTURE];
    // While an Output widget's capture() runs, displays, prints and errors go into the widget.
    const deliver = (message: OutputMessage): void => {
      const record = typeof capture === "function" ? asRecord(message) : null;
      if (record) (capture as (r: JsonObject) => void)(record);
      else this.sendNow(message, parent);
    };
    if (this.pending === 0 && !isPromiseLike(produced)) {
      if (produced) deliver(produced);
      return;
    }
    this.pending++;
    const value = produced;
    this.tail = this.tail
      .then(() => value)
      .then(
        (message) => {
          if (message) deliver(message);
        },
        (error: unknown) => {
          if (this.failure?.parent !== parent) this.failure = { parent, error };
          deliver(this.failed(error));
        },
      )
      .finally(() => {
        this.pending--;
      });
  }

  stream(name: "stdout" | "stderr", text: string | Promise<string>): void {
    if (typeof text === "string") {
      if (text !== "") this.push({ msgType: "stream", content: { name, text } });
      return;
    }
    this.push(text.then((t) => (t === "" ? null : { msgType: "stream", content: { name, text: t } })));
  }

  /** Why the first output of request `parent` that could not be produced failed; null if none failed. */
  failureOf(parent: MessageHeader): { error: unknown } | null {
    return this.failure?.parent === parent ? { error: this.failure.error } : null;
  }

  /** Resolves when every output pushed so far was sent. */
  async drain(): Promise<void> {
    // Outputs pushed while waiting (by the outputs' own async work) are waited for too.
    while (this.pending > 0) await this.tail;
  }
}
