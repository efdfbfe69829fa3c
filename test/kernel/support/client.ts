// A small Jupyter client for protocol tests: starts `gradlab kernel` on a fresh connection file
// and talks ZeroMQ to it directly, checking the signature of every message it receives.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as zmq from "zeromq";
import { freePort } from "../../helpers/net.js";
import { GRADLAB_BIN } from "./kernelspec.js";

export interface Message {
  header: { msg_id: string; msg_type: string; session: string; username: string; date: string; version: string };
  parent_header: { msg_id?: string; msg_type?: string };
  metadata: Record<string, unknown>;
  content: Record<string, any>;
  channel: "shell" | "control" | "iopub" | "stdin";
}

export interface Exchange {
  reply: Message;
  /** iopub messages of the request, from busy to idle (inclusive). */
  iopub: Message[];
}

export interface StartOptions {
  /** The notebook folder (kernel cwd); a fresh empty temp folder by default. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run the kernel as another user (tests of a shared, read-only install). */
  user?: { uid: number; gid: number };
  /** The command, "{connection_file}" replaced (as in kernel.json); `node bin/gradlab.js kernel` by default. */
  argv?: string[];
  /** The ports to write into the connection file (a restart reuses its kernel's); free ones by default. */
  ports?: Ports;
}

export type Ports = Record<"shell" | "control" | "stdin" | "iopub" | "hb", number>;

export class KernelClient {
  readonly key = randomUUID();
  readonly session = randomUUID();
  readonly received: Message[] = [];
  /** Messages whose signature did not verify (must stay empty). */
  readonly badSignatures: string[] = [];
  readonly stderr: string[] = [];
  private readonly shell = new zmq.Dealer({ routingId: this.session });
  private readonly control = new zmq.Dealer({ routingId: `${this.session}-control` });
  private readonly stdin = new zmq.Dealer({ routingId: this.session });
  private readonly iopub = new zmq.Subscriber();
  private readonly heartbeat = new zmq.Request();
  private readonly sending = new Map<zmq.Dealer, Promise<void>>();
  private readonly waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  private process!: ChildProcess;
  exited: Promise<number | null> = Promise.resolve(null);
  ports!: Ports;
  private tempRoot!: string;
  cwd!: string;

  static async start(options: StartOptions = {}): Promise<KernelClient> {
    const client = new KernelClient();
    await client.launch(options);
    return client;
  }

  private async launch(options: StartOptions): Promise<void> {
    this.tempRoot = mkdtempSync(path.join(os.tmpdir(), "gradlab-proto-"));
    this.cwd = options.cwd ?? path.join(this.tempRoot, "notebook");
    mkdirSync(this.cwd, { recursive: true });
    if (options.user) {
      chmodSync(this.tempRoot, 0o755);
      chownSync(this.cwd, options.user.uid, options.user.gid);
    }
    this.ports = options.ports ?? { shell: await freePort(), control: await freePort(), stdin: await freePort(), iopub: await freePort(), hb: await freePort() };
    const connectionFile = path.join(this.tempRoot, "kernel.json");
    writeFileSync(connectionFile, JSON.stringify({
      transport: "tcp", ip: "127.0.0.1", key: this.key, signature_scheme: "hmac-sha256",
      shell_port: this.ports.shell, control_port: this.ports.control, stdin_port: this.ports.stdin, iopub_port: this.ports.iopub, hb_port: this.ports.hb,
    }));
    const argv = (options.argv ?? [process.execPath, GRADLAB_BIN, "kernel", "--connection-file", "{connection_file}"]).map((a) => a.replace("{connection_file}", connectionFile));
    this.process = spawn(argv[0]!, argv.slice(1), {
      cwd: this.cwd,
      // Per-test state and cache; no start-up snapshot unless a test asks for one.
      // The protocol tests pin the CPU backend: WebGPU has its own suites, and interrupting a
      // long computation on Dawn's software adapter can crash natively (a known WebGPU bug).
      env: { ...process.env, GRADLAB_BACKEND: "cpu", GRADLAB_STATE_DIR: path.join(this.tempRoot, "state"), GRADLAB_CACHE_DIR: path.join(this.tempRoot, "cache"), GRADLAB_NO_SNAPSHOT: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.user ?? {}),
    });
    this.process.stderr!.on("data", (d: Buffer) => this.stderr.push(d.toString()));
    this.process.stdout!.resume();
    this.exited = new Promise((resolve) => this.process.on("exit", (code) => resolve(code)));
    const url = (port: number) => `tcp://127.0.0.1:${port}`;
    this.shell.connect(url(this.ports.shell));
    this.control.connect(url(this.ports.control));
    this.stdin.connect(url(this.ports.stdin));
    this.iopub.connect(url(this.ports.iopub));
    this.iopub.subscribe();
    this.heartbeat.connect(url(this.ports.hb));
    for (const [socket, channel] of [[this.shell, "shell"], [this.control, "control"], [this.stdin, "stdin"], [this.iopub, "iopub"]] as const) {
      void this.readLoop(socket, channel);
    }
    await this.waitForIopub();
  }

  /** The process started from the command line (for kernel.json's, the launcher script). */
  get pid(): number {
    return this.process.pid!;
  }

  /** Where the kernel publishes (tests that connect a subscriber of their own). */
  get iopubAddress(): string {
    return `tcp://127.0.0.1:${this.ports.iopub}`;
  }

  /** Like jupyter_client: ask for kernel_info until an iopub message shows the subscription works. */
  private async waitForIopub(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const id = this.send("shell", "kernel_info_request", {});
      const reply = this.next((m) => m.parent_header.msg_id === id && m.channel === "shell", 30_000);
      const status = this.next((m) => m.channel === "iopub" && m.parent_header.msg_id === id, 500).catch(() => null);
      await reply;
      if (await status) return;
    }
    throw new Error(`kernel did not publish on iopub; stderr: ${this.stderr.join("")}`);
  }

  private async readLoop(socket: zmq.Dealer | zmq.Subscriber, channel: Message["channel"]): Promise<void> {
    try {
      for await (const frames of socket) {
        const delimiter = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
        const [signature, header, parent, metadata, content] = frames.slice(delimiter + 1, delimiter + 6).map((f) => f.toString());
        const expected = createHmac("sha256", this.key).update(header!).update(parent!).update(metadata!).update(content!).digest("hex");
        if (expected !== signature) this.badSignatures.push(header!);
        const message: Message = { header: JSON.parse(header!), parent_header: JSON.parse(parent!), metadata: JSON.parse(metadata!), content: JSON.parse(content!), channel };
        this.received.push(message);
        for (let i = 0; i < this.waiters.length; i++) {
          if (this.waiters[i]!.match(message)) {
            this.waiters.splice(i, 1)[0]!.resolve(message);
            break;
          }
        }
      }
    } catch {
      // socket closed
    }
  }

  /** Sends a request; returns its msg_id. `signWith` forges a bad signature when set. */
  send(channel: "shell" | "control" | "stdin", msgType: string, content: Record<string, unknown>, options: { signWith?: string; parent?: Message["header"] } = {}): string {
    const header = { msg_id: randomUUID(), msg_type: msgType, session: this.session, username: "test", date: new Date().toISOString(), version: "5.3" };
    const parts = [JSON.stringify(header), JSON.stringify(options.parent ?? {}), "{}", JSON.stringify(content)];
    const hmac = createHmac("sha256", options.signWith ?? this.key);
    for (const p of parts) hmac.update(p);
    const socket = channel === "shell" ? this.shell : channel === "control" ? this.control : this.stdin;
    const frames = ["<IDS|MSG>", hmac.digest("hex"), ...parts];
    // A Dealer accepts one pending send at a time.
    const previous = this.sending.get(socket) ?? Promise.resolve();
    this.sending.set(socket, previous.then(() => socket.send(frames)));
    return header.msg_id;
  }

  /** The first received (now or later) message matching `match`. */
  next(match: (m: Message) => boolean, timeoutMs = 30_000): Promise<Message> {
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (m: Message) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for a message; kernel stderr: ${this.stderr.join("")}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits for the reply and for the request's `idle`, and returns all its iopub messages. */
  async exchange(id: string, timeoutMs = 30_000): Promise<Exchange> {
    const reply = await this.next((m) => m.parent_header.msg_id === id && (m.channel === "shell" || m.channel === "control"), timeoutMs);
    await this.next((m) => m.channel === "iopub" && m.parent_header.msg_id === id && m.header.msg_type === "status" && m.content.execution_state === "idle", timeoutMs);
    return { reply, iopub: this.received.filter((m) => m.channel === "iopub" && m.parent_header.msg_id === id) };
  }

  async request(channel: "shell" | "control", msgType: string, content: Record<string, unknown>): Promise<Exchange> {
    return this.exchange(this.send(channel, msgType, content));
  }

  execute(code: string, options: Record<string, unknown> = {}): string {
    return this.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...options });
  }

  async run(code: string, options: Record<string, unknown> = {}): Promise<Exchange> {
    return this.exchange(this.execute(code, options));
  }

  async ping(payload: string, timeoutMs = 5000): Promise<string> {
    await this.heartbeat.send(payload);
    const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("heartbeat timeout")), timeoutMs));
    const [answer] = await Promise.race([this.heartbeat.receive(), timer]);
    return answer!.toString();
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.send("control", "shutdown_request", { restart: false });
      const done = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
      if (!done) this.process.kill("SIGKILL");
    }
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.heartbeat]) socket.close();
    rmSync(this.tempRoot, { recursive: true, force: true });
  }
}

/** Text of all `stream` outputs of an exchange, by stream name. */
export function streamText(exchange: Exchange, name: "stdout" | "stderr" = "stdout"): string {
  return exchange.iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === name).map((m) => m.content.text as string).join("");
}

export function outputsOf(exchange: Exchange, type: string): Message[] {
  return exchange.iopub.filter((m) => m.header.msg_type === type);
}
