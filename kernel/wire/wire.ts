// Main-thread side of the wire: exchanges messages with the socket worker (started by spawn.cts).
import { receiveMessageOnPort } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import type { MainCommand, ReplyChannel, WorkerEvent } from "./bridge.js";
import { createMessage } from "./message.js";
import type { JsonObject, JupyterMessage, MessageHeader } from "./message.js";
import { kernelLogRaw } from "../log.js";
import type { WireWorker } from "./spawn.cjs";

export interface IncomingRequest {
  channel: "shell" | "control" | "stdin";
  identities: Uint8Array[];
  message: JupyterMessage;
}

export interface WireHandlers {
  request(request: IncomingRequest): void;
  shutdown(restart: boolean): void;
}

/** What the kernel needs of its transport: the sockets' Wire, or the runner's in-process loopback. */
export type KernelWire = Pick<Wire, "send" | "interruptCount" | "drainQueued">;

export class Wire {
  readonly session: string;
  private readonly interruptCounter: Int32Array;
  private readonly port: MessagePort;
  private readonly ready: Promise<void>;
  private closed: (() => void) | null = null;

  /** Takes over a started socket worker (spawn.cts), whose messages wait in its port until now. */
  constructor({ worker, port, session, interruptCounter, failure }: WireWorker, private readonly handlers: WireHandlers) {
    this.session = session;
    this.interruptCounter = interruptCounter;
    this.port = port;
    for (const stream of [worker.stdout, worker.stderr]) {
      stream.setEncoding("utf8");
      stream.on("data", (text: string) => kernelLogRaw(text));
    }
    this.ready = new Promise((resolve, reject) => {
      this.port.on("message", (event: WorkerEvent) => {
        if (event.type === "ready") resolve();
        else if (event.type === "fatal") reject(new Error(`wire worker failed: ${event.error}`));
        else this.dispatch(event);
      });
      void failure.then(reject);
    });
  }

  /** Resolves once all sockets are bound. */
  start(): Promise<void> {
    return this.ready;
  }

  /** How many interrupts were requested so far; compare two readings to detect a new one. */
  interruptCount(): number {
    return Atomics.load(this.interruptCounter, 0);
  }

  send(channel: ReplyChannel, msgType: string, content: JsonObject, parent: MessageHeader | JsonObject, identities: Uint8Array[] = [], metadata?: JsonObject, buffers?: Uint8Array[]): JupyterMessage {
    const message = createMessage(msgType, content, this.session, { parent, metadata, buffers });
    this.post({ type: "send", channel, identities, message });
    return message;
  }

  /**
   * Hands over requests that already arrived but were not dispatched yet (the main thread was
   * busy). Used to abort exactly the cells queued before an error, as `stop_on_error` asks.
   */
  drainQueued(): void {
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (!received) return;
      this.dispatch(received.message as WorkerEvent);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.closed = resolve;
      this.post({ type: "close" });
    });
  }

  private post(command: MainCommand): void {
    this.port.postMessage(command);
  }

  private dispatch(event: WorkerEvent): void {
    switch (event.type) {
      case "request":
        this.handlers.request(event);
        break;
      case "shutdown":
        this.handlers.shutdown(event.restart);
        break;
      case "closed":
        this.closed?.();
        break;
      case "fatal":
        process.stderr.write(`[gradlab kernel] wire worker failed: ${event.error}\n`);
        break;
      case "ready":
        break;
    }
  }
}
