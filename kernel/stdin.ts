// `await input(prompt)`: asks the frontend that sent the running cell, over the stdin channel.
import type { Interrupts } from "./exec/interrupt.js";
import type { JupyterMessage, MessageHeader } from "./wire/message.js";
import type { KernelWire } from "./wire/wire.js";

export interface StdinContext {
  identities: Uint8Array[];
  parent: MessageHeader;
  allowed: boolean;
}

export class StdinNotAllowedError extends Error {
  override name = "StdinNotAllowedError";
  constructor() {
    super("input() needs a frontend that accepts input (this execute request has allow_stdin false)");
  }
}

export class Stdin {
  /** Set while a cell runs. */
  context: StdinContext | null = null;
  private readonly waiting = new Map<string, (value: string) => void>();

  constructor(
    private readonly wire: KernelWire,
    private readonly interrupts: Interrupts,
    private readonly beforeRequest: () => Promise<void>,
  ) {}

  async input(prompt = "", options: { password?: boolean } = {}): Promise<string> {
    const context = this.context;
    if (!context || !context.allowed) throw new StdinNotAllowedError();
    // Outputs printed before the prompt must appear before it.
    await this.beforeRequest();
    const request = this.wire.send("stdin", "input_request", { prompt: String(prompt), password: options.password === true }, context.parent, context.identities);
    const answer = new Promise<string>((resolve) => this.waiting.set(request.header.msg_id, resolve));
    try {
      return await this.interrupts.race(answer);
    } finally {
      this.waiting.delete(request.header.msg_id);
    }
  }

  /** An `input_reply` from the frontend. */
  reply(message: JupyterMessage): void {
    const parentId = (message.parent_header as Partial<MessageHeader>).msg_id;
    // Some clients do not set the parent; then the oldest question gets the answer.
    const key = parentId && this.waiting.has(parentId) ? parentId : this.waiting.keys().next().value;
    if (key === undefined) return;
    const resolve = this.waiting.get(key)!;
    this.waiting.delete(key);
    const value = message.content.value;
    resolve(typeof value === "string" ? value : "");
  }
}
