import { randomUUID } from "node:crypto";
import { assembleKernel, prepareEngine } from "../main.js";
import type { Kernel } from "../kernel.js";
import { createMessage, type JsonObject, type JupyterMessage, type MessageHeader } from "../wire/message.js";
import type { KernelWire } from "../wire/wire.js";
import type { IOPubMessage } from "../notebook/outputs.js";
import type { CellOutcome, Session } from "./session.js";
import { armWatchdog } from "./watchdog.js";

const OUTPUT_TYPES = new Set(["stream", "display_data", "execute_result", "error", "update_display_data", "clear_output"]);

/** The kernel's transport turned inward: messages it sends go to a listener in this process. */
class LoopbackWire implements KernelWire {
  private readonly session = randomUUID();
  /** Shared with the watchdog thread, which counts its interrupt here before signalling. */
  readonly interrupts = new Int32Array(new SharedArrayBuffer(4));
  listener: ((channel: string, message: JupyterMessage) => void) | null = null;

  send(channel: "shell" | "control" | "iopub" | "stdin", msgType: string, content: JsonObject, parent: MessageHeader | JsonObject, _identities: Uint8Array[] = [], metadata?: JsonObject, buffers?: Uint8Array[]): JupyterMessage {
    const message = createMessage(msgType, content, this.session, { parent, metadata, buffers });
    this.listener?.(channel, message);
    return message;
  }

  interruptCount(): number {
    return Atomics.load(this.interrupts, 0);
  }

  drainQueued(): void {
    // Nothing waits in a queue: the runner sends one cell at a time.
  }

  request(code: string): JupyterMessage {
    return createMessage("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false }, this.session);
  }
}

/**
 * `gradlab run`'s default session: the gradlab kernel in this very process, with no Jupyter
 * and no sockets, running cells through the same code as `gradlab kernel`.
 */
export class InProcessSession implements Session {
  private constructor(
    private readonly wire: LoopbackWire,
    private readonly kernel: Kernel,
    /** The library's exports, as the cells see them (null when it failed to load). */
    readonly library: Record<string, unknown> | null,
  ) {}

  static async start(): Promise<InProcessSession> {
    const wire = new LoopbackWire();
    const prepared = await prepareEngine();
    const kernel = assembleKernel(wire, prepared);
    return new InProcessSession(wire, kernel, prepared.library.namespace);
  }

  /** Runs a cell; past `timeoutMs` a watchdog thread interrupts it (0: no deadline, no thread). */
  execute(code: string, onMessage: (m: IOPubMessage) => void, timeoutMs: number): Promise<CellOutcome> {
    const request = this.wire.request(code);
    const id = request.header.msg_id;
    return new Promise((resolve) => {
      let reply: JsonObject | null = null;
      const watchdog = timeoutMs > 0 ? armWatchdog(this.wire.interrupts, timeoutMs) : { cancel() {}, fired: () => false };
      this.wire.listener = (channel, message) => {
        if ((message.parent_header as Partial<MessageHeader>).msg_id !== id) return;
        const type = message.header.msg_type;
        if (channel === "shell" && type === "execute_reply") reply = message.content as JsonObject;
        else if (channel === "iopub" && OUTPUT_TYPES.has(type)) onMessage({ msg_type: type, content: message.content as Record<string, unknown> });
        else if (channel === "iopub" && type === "status" && (message.content as JsonObject)["execution_state"] === "idle") {
          watchdog.cancel();
          this.wire.listener = null;
          const r = reply as { status?: string; execution_count?: number } | null;
          resolve({ status: watchdog.fired() ? "timeout" : r?.status === "ok" ? "ok" : "error", executionCount: r?.execution_count ?? null });
        }
      };
      this.kernel.receive({ channel: "shell", identities: [], message: request });
    });
  }

  async close(): Promise<void> {
    // The process ends after the run; the engine's language service needs no orderly stop.
  }
}
