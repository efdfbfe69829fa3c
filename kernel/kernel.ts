// Request dispatch. Shell requests run one at a time, in order, each between a `busy` and an
// `idle` status; control requests are answered as soon as the main thread is free.
import type { Comms } from "./comm.js";
import { runtimeError } from "./exec/errors.js";
import type { Outputs } from "./display/outputs.js";
import type { Engine } from "./engine/engine.cjs";
import { complete, inspect, isCompleteReply } from "./handlers/introspection.js";
import { execute, ExecutionCounter, type ExecuteDeps, type Escapes } from "./handlers/execute.js";
import type { History, HistoryQuery } from "./history.js";
import { kernelLog, trace } from "./log.js";
import type { Stdin } from "./stdin.js";
import type { JsonObject, JupyterMessage, MessageHeader } from "./wire/message.js";
import { isInterrupt } from "./exec/interrupt.js";
import type { IncomingRequest, KernelWire } from "./wire/wire.js";

export interface KernelParts extends Omit<ExecuteDeps, "publish" | "help"> {
  wire: KernelWire;
  engine: Engine;
  comms: Comms;
  info: JsonObject;
  stdin: Stdin;
  outputs: Outputs;
  history: History;
}

/**
 * Work the kernel runs in turn with requests: interact's re-renders, which a control's change
 * starts. Scheduled while a request is handled, it runs before that request's `idle` (or, when
 * more comm messages wait, before the last of them's), so every request keeps exactly one
 * busy/idle pair: widget managers count the idles of the messages they sent. Scheduled while the
 * kernel is idle (a timer moved a control), it runs on its own between busy and idle of `parent`.
 */
interface Task {
  task: () => Promise<void>;
  parent: MessageHeader;
  /** How often requests waiting behind it were let go first (bounded, so it always runs). */
  deferred: number;
}

export class Kernel {
  private readonly queue: (IncomingRequest | Task)[] = [];
  /** Tasks scheduled while a shell request is handled: they run before its idle (runDueTasks). */
  private readonly due: Task[] = [];
  /** The type of the shell request being handled, if any. */
  private handlingShell: string | null = null;
  private pumping = false;
  private readonly counter = new ExecutionCounter();
  /** Rejects the running cell when an exception escapes its code (timer, unhandled rejection). */
  private failRunningCell: ((error: unknown) => void) | null = null;

  constructor(private readonly parts: KernelParts) {}

  receive(request: IncomingRequest): void {
    if (request.channel === "stdin") {
      if (request.message.header.msg_type === "input_reply") this.parts.stdin.reply(request.message);
      return;
    }
    if (request.channel === "control") {
      void this.handle(request);
      return;
    }
    this.queue.push(request);
    void this.pump();
  }

  /** An exception or rejection nobody caught: it fails the running cell, or is shown after the last one. */
  escaped(error: unknown): void {
    if (this.failRunningCell) {
      this.failRunningCell(error);
      return;
    }
    kernelLog(`uncaught outside a cell: ${error instanceof Error ? error.message : String(error)}`);
    const content = runtimeError(error);
    content.traceback.unshift("An error escaped after its cell had finished (a timer or an unawaited promise):");
    this.parts.outputs.push({ msgType: "error", content: { ...content } });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let request = this.queue.shift(); request; request = this.queue.shift()) {
        if ("task" in request) {
          // Widget updates waiting behind a re-render go first: the re-render then uses the
          // latest values, and a fast drag makes one run instead of one per step.
          this.parts.wire.drainQueued();
          if (request.deferred < 100 && this.queue.some((r) => !("task" in r) && r.message.header.msg_type === "comm_msg")) {
            request.deferred++;
            this.queue.push(request);
            continue;
          }
          await this.runTask(request);
        } else await this.handle(request);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async handle(request: IncomingRequest): Promise<void> {
    const { message } = request;
    trace(`handling ${message.header.msg_type}`);
    const publish = (msgType: string, content: JsonObject): void => {
      this.parts.wire.send("iopub", msgType, content, message.header);
    };
    const reply = (msgType: string, content: JsonObject): void => {
      this.parts.wire.send(request.channel === "control" ? "control" : "shell", msgType, content, message.header, request.identities);
    };
    publish("status", { execution_state: "busy" });
    const shell = request.channel === "shell";
    if (shell) this.handlingShell = message.header.msg_type;
    try {
      await this.dispatch(request, reply, publish);
    } catch (error) {
      kernelLog(`failed to handle ${message.header.msg_type}: ${error instanceof Error ? error.stack : String(error)}`);
      const type = message.header.msg_type;
      if (type.endsWith("_request")) reply(type.replace(/_request$/, "_reply"), { status: "error", ...runtimeError(error) });
    } finally {
      if (shell) {
        await this.runDueTasks(message.header);
        this.handlingShell = null;
      }
      publish("status", { execution_state: "idle" });
    }
  }

  /**
   * Runs the tasks scheduled so far, inside the current request. When comm messages wait behind
   * it (a slider being dragged), they go first and the last of them runs the tasks: the re-render
   * then uses the latest values, and a fast drag makes one run instead of one per step.
   */
  private async runDueTasks(current: MessageHeader): Promise<void> {
    while (this.due.length > 0) {
      this.parts.wire.drainQueued();
      const commWaiting = this.queue.some((r) => !("task" in r) && r.message.header.msg_type === "comm_msg");
      if (commWaiting && this.due[0]!.deferred < 100) {
        for (const t of this.due) t.deferred++;
        return;
      }
      await this.runTaskBody(this.due.shift()!, current);
    }
  }

  /** Queues `task` behind the requests already waiting (see Task). */
  schedule(task: () => Promise<void>): void {
    const parent = this.parts.outputs.parent;
    if (!parent) {
      void task();
      return;
    }
    // A cell's own code moved a control: its re-render runs now, as the cell's work (the cell
    // may await it; nothing needs coalescing).
    if (this.handlingShell === "execute_request") {
      void task();
      return;
    }
    if (this.handlingShell) {
      this.due.push({ task, parent, deferred: 0 });
      return;
    }
    this.queue.push({ task, parent, deferred: 0 });
    void this.pump();
  }

  /** A task scheduled while the kernel was idle: on its own, between busy and idle. */
  private async runTask(t: Task): Promise<void> {
    const { wire } = this.parts;
    wire.send("iopub", "status", { execution_state: "busy" }, t.parent);
    try {
      await this.runTaskBody(t, t.parent);
    } finally {
      wire.send("iopub", "status", { execution_state: "idle" }, t.parent);
    }
  }

  /** Runs a task with its outputs going to `parent`; an interrupt stops it. */
  private async runTaskBody(t: Task, parent: MessageHeader): Promise<void> {
    const { outputs, interrupts } = this.parts;
    const previous = outputs.parent;
    outputs.parent = parent;
    interrupts.reset();
    try {
      await interrupts.race(t.task());
    } catch (error) {
      if (!isInterrupt(error)) kernelLog(`a widget task failed: ${error instanceof Error ? error.stack : String(error)}`);
    } finally {
      await outputs.drain();
      outputs.parent = previous;
    }
  }

  private async dispatch(request: IncomingRequest, reply: (type: string, content: JsonObject) => void, publish: (type: string, content: JsonObject) => void): Promise<void> {
    const { message } = request;
    const { engine, comms, history } = this.parts;
    switch (message.header.msg_type) {
      case "execute_request":
        return this.execute(request, reply, publish);
      case "kernel_info_request":
        return reply("kernel_info_reply", this.parts.info);
      case "complete_request":
        return reply("complete_reply", complete(engine, message.content));
      case "inspect_request":
        return reply("inspect_reply", inspect(engine, message.content));
      case "is_complete_request":
        return reply("is_complete_reply", isCompleteReply(engine, message.content));
      case "history_request":
        return reply("history_reply", { status: "ok", history: history.query(message.content as HistoryQuery) });
      case "comm_info_request": {
        const target = message.content.target_name;
        return reply("comm_info_reply", { status: "ok", comms: comms.info(typeof target === "string" ? target : undefined) });
      }
      case "comm_open":
        return this.withParent(message, () => comms.handleOpen(message));
      case "comm_msg":
        return this.withParentAsync(message, () => comms.handleMessage(message));
      case "comm_close":
        return this.withParent(message, () => comms.handleClose(message));
      default:
        kernelLog(`ignoring unsupported ${message.header.msg_type} on ${request.channel}`);
    }
  }

  /**
   * A comm message whose handlers may be async: the kernel stays busy until they are done, and an
   * interrupt stops what they wait for.
   */
  private async withParentAsync(message: JupyterMessage, run: () => Promise<void>): Promise<void> {
    const { outputs, interrupts } = this.parts;
    const previous = outputs.parent;
    outputs.parent = message.header;
    interrupts.reset();
    try {
      await interrupts.race(run());
    } catch (error) {
      if (!isInterrupt(error)) throw error;
    } finally {
      await outputs.drain();
      outputs.parent = previous;
    }
  }

  /** Outputs of comm handlers belong to the comm message that triggered them. */
  private withParent(message: JupyterMessage, run: () => void): void {
    const outputs = this.parts.outputs;
    const previous = outputs.parent;
    outputs.parent = message.header;
    try {
      run();
    } finally {
      outputs.parent = previous;
    }
  }

  private async execute(request: IncomingRequest, reply: (type: string, content: JsonObject) => void, publish: (type: string, content: JsonObject) => void): Promise<void> {
    const escapes: Escapes = {
      promise: new Promise<never>((_, reject) => {
        this.failRunningCell = reject;
      }),
    };
    escapes.promise.catch(() => {
      // Only the race in execute() consumes it.
    });
    let outcome;
    try {
      const help = (expression: string): JsonObject | null => {
        const found = inspect(this.parts.engine, { code: expression, cursor_pos: [...expression].length });
        return found.found === true ? (found.data as JsonObject) : null;
      };
      outcome = await execute({ ...this.parts, publish, help }, this.counter, { header: request.message.header, content: request.message.content, identities: request.identities }, escapes);
    } finally {
      this.failRunningCell = null;
    }
    reply("execute_reply", outcome.reply);
    trace(`replied to execute_request ${this.counter.value}`);
    if (outcome.failed && outcome.stopOnError) this.abortQueued();
  }

  /**
   * stop_on_error: cells the frontend queued behind a failed one are not run. Requests already
   * waiting in the worker's port count as queued, so they are taken in first.
   */
  private abortQueued(): void {
    this.parts.wire.drainQueued();
    const kept: (IncomingRequest | Task)[] = [];
    for (const request of this.queue) {
      if ("task" in request || request.message.header.msg_type !== "execute_request") {
        kept.push(request);
        continue;
      }
      const header = request.message.header;
      this.parts.wire.send("iopub", "status", { execution_state: "busy" }, header);
      this.parts.wire.send("shell", "execute_reply", {
        status: "error",
        execution_count: this.counter.value,
        ename: "ExecutionAborted",
        evalue: "not run because an earlier cell failed",
        traceback: ["ExecutionAborted: not run because an earlier cell failed (stop_on_error)"],
      }, header, request.identities);
      this.parts.wire.send("iopub", "status", { execution_state: "idle" }, header);
    }
    this.queue.length = 0;
    this.queue.push(...kept);
  }
}
