// A minimal ZeroMQ Jupyter client for timing kernels (gradlab and tslab alike).
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import * as zmq from "zeromq";
import { createMessage, decodeMessage, encodeMessage, Signer, type JupyterMessage } from "../../kernel/wire/message.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface KernelCommand {
  name: string;
  /** Command line; "{connection_file}" is replaced. */
  argv: string[];
  env?: NodeJS.ProcessEnv;
}

/** Kernels still running; killed if the benchmark ends early, so none is left behind. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

export class BenchClient {
  private readonly signer: Signer;
  private readonly session = randomUUID();
  private readonly shell = new zmq.Dealer({ routingId: this.session });
  private readonly iopub = new zmq.Subscriber();
  private readonly control = new zmq.Dealer();
  private readonly waiting = new Map<string, { reply?: JupyterMessage; idle: boolean; done: () => void }>();
  child!: ChildProcess;
  private dir!: string;
  /** performance.now() when the process was spawned. */
  spawnedAt = 0;
  /**
   * With GRADLAB_TRACE in the command's env: when each start-up step finished, in ms after the
   * kernel process started (the kernel's own clock; see kernel/log.ts trace).
   */
  readonly steps = new Map<string, number>();

  private constructor(private readonly key: string) {
    this.signer = new Signer(key, "hmac-sha256");
  }

  static async start(command: KernelCommand, cwd: string): Promise<BenchClient> {
    const client = new BenchClient(randomUUID());
    await client.launch(command, cwd);
    return client;
  }

  private async launch(command: KernelCommand, cwd: string): Promise<void> {
    this.dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-bench-"));
    const ports = { shell_port: await freePort(), iopub_port: await freePort(), stdin_port: await freePort(), control_port: await freePort(), hb_port: await freePort() };
    const file = path.join(this.dir, "connection.json");
    writeFileSync(file, JSON.stringify({ transport: "tcp", ip: "127.0.0.1", key: this.key, signature_scheme: "hmac-sha256", ...ports }));
    const url = (port: number) => `tcp://127.0.0.1:${port}`;
    this.shell.connect(url(ports.shell_port));
    this.control.connect(url(ports.control_port));
    this.iopub.connect(url(ports.iopub_port));
    this.iopub.subscribe();
    void this.read(this.shell, true);
    void this.read(this.control, true);
    void this.read(this.iopub, false);
    const argv = command.argv.map((a) => a.replace("{connection_file}", file));
    this.spawnedAt = performance.now();
    const tracing = Boolean(command.env?.GRADLAB_TRACE);
    const stderr = tracing ? "pipe" : "inherit";
    this.child = spawn(argv[0]!, argv.slice(1), { cwd, env: { ...process.env, ...command.env }, stdio: process.env.BENCH_DEBUG ? ["ignore", "inherit", stderr] : ["ignore", process.env.BENCH_STDOUT ? "inherit" : "ignore", stderr] });
    if (tracing) this.readSteps(this.child);
    running.add(this.child);
    this.child.on("exit", () => running.delete(this.child));
  }

  /** Keeps the trace lines' times; passes every other line of the kernel's stderr on. */
  private readSteps(child: ChildProcess): void {
    let pending = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const step = /^\[gradlab kernel\] ([\d.]+) ms: (.+)$/.exec(line);
        if (step) this.steps.set(step[2]!, Number(step[1]));
        else process.stderr.write(`${line}\n`);
      }
    });
  }

  /** `isReply`: a shell or control socket (replies), else iopub. */
  private async read(socket: zmq.Dealer | zmq.Subscriber, isReply: boolean): Promise<void> {
    try {
      for await (const frames of socket) {
        const { message } = decodeMessage(frames, this.signer);
        if (process.env.BENCH_DEBUG) process.stderr.write(`${isReply ? "reply" : "iopub"} ${message.header.msg_type} ${JSON.stringify(message.content).slice(0, 200)}\n`);
        const entry = this.waiting.get(String(message.parent_header.msg_id));
        if (!entry) continue;
        if (isReply) entry.reply = message;
        else if (message.header.msg_type === "status" && message.content.execution_state === "idle") entry.idle = true;
        if (entry.reply && entry.idle) entry.done();
      }
    } catch {
      // closed
    }
  }

  /**
   * Sends a request; resolves with the reply, once the kernel also published `idle` for it
   * unless `replyOnly` (tslab sometimes loses an `idle` under load, which would stall a run).
   */
  request(channel: "shell" | "control", msgType: string, content: Record<string, unknown>, replyOnly = false): { sentAt: number; done: Promise<{ reply: JupyterMessage; at: number }> } {
    const message = createMessage(msgType, content, this.session, {});
    const entry: { reply?: JupyterMessage; idle: boolean; done: () => void } = { idle: replyOnly, done: () => {} };
    const done = new Promise<{ reply: JupyterMessage; at: number }>((resolve) => {
      entry.done = () => resolve({ reply: entry.reply!, at: performance.now() });
    });
    this.waiting.set(message.header.msg_id, entry);
    const sentAt = performance.now();
    this.sendOn(channel === "shell" ? this.shell : this.control, encodeMessage(message, [], this.signer));
    return { sentAt, done };
  }

  /** A Dealer accepts one pending send at a time (it waits while the kernel is not listening yet). */
  private readonly sending = new Map<zmq.Dealer, Promise<void>>();
  private sendOn(socket: zmq.Dealer, frames: (string | Uint8Array)[]): void {
    const next = (this.sending.get(socket) ?? Promise.resolve()).then(() => socket.send(frames)).catch(() => {});
    this.sending.set(socket, next);
  }

  /** Like jupyter_client: repeat kernel_info until iopub delivers, so no status is missed later. */
  async waitForIopub(): Promise<void> {
    for (;;) {
      const { done } = this.request("shell", "kernel_info_request", {});
      const ok = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
      if (ok) return;
    }
  }

  /** Resolves at the execute_reply (the kernel may still publish after it). */
  firstReply(code: string): Promise<number> {
    const message = createMessage("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false }, this.session, {});
    return new Promise((resolve) => {
      this.waiting.set(message.header.msg_id, { idle: true, done: () => resolve(performance.now()) });
      this.sendOn(this.shell, encodeMessage(message, [], this.signer));
    });
  }

  /** Time from request to execute_reply. */
  async execute(code: string, timeoutMs = 20_000): Promise<{ ms: number; reply: JupyterMessage }> {
    const { sentAt, done } = this.request("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false }, true);
    // A lost reply must fail the benchmark, not hang it.
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(code.slice(0, 60))} within ${timeoutMs / 1000} s`)), timeoutMs).unref());
    const { reply, at } = await Promise.race([done, timeout]);
    return { ms: at - sentAt, reply };
  }

  async stop(): Promise<void> {
    const { done } = this.request("control", "shutdown_request", { restart: false });
    await Promise.race([done, new Promise((r) => setTimeout(r, 500))]);
    this.child.kill("SIGKILL");
    for (const socket of [this.shell, this.iopub, this.control]) socket.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
