// Comms (custom messages between a cell's code and frontend code), opened from either side.
import { randomUUID } from "node:crypto";
import type { JsonObject, JupyterMessage } from "./wire/message.js";
import type { OutputMessage } from "./display/outputs.js";
import { kernelLog } from "./log.js";

export type CommMessageHandler = (data: JsonObject, message: JupyterMessage) => void | Promise<void>;
export type CommTargetHandler = (comm: Comm, data: JsonObject, message: JupyterMessage) => void;

export class Comm {
  private messageHandlers: CommMessageHandler[] = [];
  private closeHandlers: CommMessageHandler[] = [];
  private closed = false;

  constructor(
    readonly id: string,
    readonly targetName: string,
    private readonly manager: Comms,
  ) {}

  send(data: JsonObject = {}, metadata: JsonObject = {}, buffers: Uint8Array[] = []): void {
    if (this.closed) throw new Error(`comm ${this.id} is closed`);
    this.manager.emit({ msgType: "comm_msg", content: { comm_id: this.id, data }, metadata, buffers });
  }

  close(data: JsonObject = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.manager.forget(this.id);
    this.manager.emit({ msgType: "comm_close", content: { comm_id: this.id, data } });
  }

  onMessage(handler: CommMessageHandler): void {
    this.messageHandlers.push(handler);
  }

  onClose(handler: CommMessageHandler): void {
    this.closeHandlers.push(handler);
  }

  /** @internal settles when every handler has (async ones included) */
  receive(data: JsonObject, message: JupyterMessage): Promise<void> {
    return Promise.all(this.messageHandlers.map((handler) => handler(data, message))).then(() => undefined);
  }

  /** @internal: closed by the frontend. */
  receiveClose(data: JsonObject, message: JupyterMessage): void {
    this.closed = true;
    for (const handler of this.closeHandlers) handler(data, message);
  }
}

export class Comms {
  private readonly targets = new Map<string, CommTargetHandler>();
  private readonly open = new Map<string, Comm>();

  /** `emit` sends on iopub with the current cell as parent. */
  constructor(readonly emit: (message: OutputMessage) => void) {}

  /** The public face cells see as the global `comms`. */
  api(): { registerTarget(name: string, handler: CommTargetHandler): void; open(targetName: string, data?: JsonObject, metadata?: JsonObject): Comm } {
    return {
      registerTarget: (name, handler) => {
        this.targets.set(name, handler);
      },
      open: (targetName, data = {}, metadata = {}) => this.openFromKernel(targetName, data, metadata),
    };
  }

  openFromKernel(targetName: string, data: JsonObject, metadata: JsonObject): Comm {
    const comm = new Comm(randomUUID(), targetName, this);
    this.open.set(comm.id, comm);
    this.emit({ msgType: "comm_open", content: { comm_id: comm.id, target_name: targetName, data }, metadata });
    return comm;
  }

  forget(id: string): void {
    this.open.delete(id);
  }

  /** comm_open from the frontend. */
  handleOpen(message: JupyterMessage): void {
    const { comm_id: id, target_name: target, data } = message.content as { comm_id?: unknown; target_name?: unknown; data?: unknown };
    if (typeof id !== "string" || typeof target !== "string") return;
    const handler = this.targets.get(target);
    if (!handler) {
      // The frontend must learn that nobody listens, or it would wait forever.
      kernelLog(`comm_open for unknown target ${JSON.stringify(target)}`);
      this.emit({ msgType: "comm_close", content: { comm_id: id, data: {} } });
      return;
    }
    const comm = new Comm(id, target, this);
    this.open.set(id, comm);
    handler(comm, asObject(data), message);
  }

  handleMessage(message: JupyterMessage): Promise<void> {
    const { comm_id: id, data } = message.content as { comm_id?: unknown; data?: unknown };
    const comm = typeof id === "string" ? this.open.get(id) : undefined;
    return comm ? comm.receive(asObject(data), message) : Promise.resolve();
  }

  handleClose(message: JupyterMessage): void {
    const { comm_id: id, data } = message.content as { comm_id?: unknown; data?: unknown };
    const comm = typeof id === "string" ? this.open.get(id) : undefined;
    if (!comm) return;
    this.open.delete(comm.id);
    comm.receiveClose(asObject(data), message);
  }

  /** For comm_info_request: open comms, optionally only those of one target. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const comms: Record<string, { target_name: string }> = {};
    for (const comm of this.open.values()) {
      if (targetName === undefined || comm.targetName === targetName) comms[comm.id] = { target_name: comm.targetName };
    }
    return comms;
  }
}

function asObject(value: unknown): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}
