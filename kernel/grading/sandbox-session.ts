// A Session (what runNotebook drives) whose cells run in the grading sandbox: one worker process
// per submission, fed one cell at a time, watched from outside for time and memory.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import type { IOPubMessage } from "../notebook/outputs.js";
import type { CellOutcome, Session } from "../run/session.js";
import { findInTree, processTree, residentBytes, signalTree } from "./process-tree.js";
import { workerCommand, type SandboxOptions } from "./sandbox.js";
import type { WorkerResult } from "./worker.js";

export interface SandboxSessionOptions extends SandboxOptions {
  /** Seconds the worker may take to start (load TypeScript and the library). */
  startSeconds?: number;
  /** Processes the sandbox may hold at once (the permission model allows none beyond the worker). */
  maxProcesses?: number;
}

/** Why the worker can run no more cells (shown as the error of every cell after it stopped). */
type Ended = { reason: string };

const GRACE_MS = 10_000;
const MAX_PENDING_BYTES = 64 << 20;

export class SandboxSession implements Session {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, (r: WorkerResult) => void>();
  private ended: Ended | null = null;
  private readonly onEnd = new Set<(e: Ended) => void>();
  private readonly monitor: NodeJS.Timeout;
  /** Peak memory of the sandbox's processes seen so far, in bytes. */
  peakBytes = 0;
  stderr = "";

  private constructor(private readonly o: SandboxSessionOptions, ready: (ok: boolean) => void) {
    const { command, env } = workerCommand(o);
    this.child = spawn(command[0]!, command.slice(1), { cwd: o.privateDir, env, stdio: ["pipe", "ignore", "pipe", "pipe"] });
    // Writing a cell after the worker died must end the session, not the grader.
    this.child.stdin!.on("error", () => this.end("the submission's process stopped reading cells"));
    this.child.stderr!.on("data", (d: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += d.toString();
    });
    let pending = "";
    (this.child.stdio[3] as Readable).on("data", (d: Buffer) => {
      pending += d.toString();
      if (pending.length > MAX_PENDING_BYTES) this.end("the submission wrote too much output");
      for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this.receive(line, ready);
      }
    });
    this.child.on("exit", (code, signal) => {
      ready(false);
      this.end(this.ended?.reason ?? (signal ? `the submission's process was ended by ${signal}` : `the submission ended its process (exit code ${code})`));
    });
    this.child.on("error", (error) => {
      ready(false);
      this.end(`the sandbox could not start: ${error.message}`);
    });
    const limit = o.memoryMb * 1024 * 1024;
    this.monitor = setInterval(() => {
      if (!this.child.pid) return;
      const tree = processTree(this.child.pid);
      const rss = residentBytes(tree);
      this.peakBytes = Math.max(this.peakBytes, rss);
      if (rss > limit) this.kill(`the submission used more than ${o.memoryMb} MB of memory`);
      else if (tree.length > (o.maxProcesses ?? 8)) this.kill(`the submission started more processes than allowed`);
    }, 100);
    this.monitor.unref();
  }

  /** Starts the worker; resolves once it is ready to take cells. */
  static async start(o: SandboxSessionOptions): Promise<SandboxSession> {
    let session!: SandboxSession;
    const ok = await new Promise<boolean>((resolve) => {
      let settled = false;
      const once = (v: boolean) => {
        if (!settled) {
          settled = true;
          resolve(v);
        }
      };
      session = new SandboxSession(o, once);
      setTimeout(() => once(false), (o.startSeconds ?? 120) * 1000).unref();
    });
    if (!ok) {
      const why = session.ended?.reason ?? "it did not start in time";
      session.kill(why);
      throw new Error(`the grading sandbox did not start: ${why}${session.stderr ? `: ${session.stderr.trim().split("\n").slice(-3).join(" ")}` : ""}`);
    }
    return session;
  }

  private receive(line: string, ready: (ok: boolean) => void): void {
    let message: Partial<WorkerResult> & { ready?: boolean };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return; // not the worker's
    }
    if (message.ready === true) {
      ready(true);
      return;
    }
    // Only an answer to a request in flight counts; the id is random, so the submission cannot forge one.
    const waiter = typeof message.id === "string" ? this.waiting.get(message.id) : undefined;
    if (!waiter) return;
    this.waiting.delete(message.id!);
    waiter(message as WorkerResult);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = { reason };
    clearInterval(this.monitor);
    for (const f of this.onEnd) f(this.ended);
  }

  /** Ends the sandbox for good (every process in it). */
  kill(reason: string): void {
    this.end(reason);
    if (this.child.pid && this.child.exitCode === null) signalTree(this.child.pid, "SIGKILL");
  }

  /** Why the worker stopped, if it did. */
  get endReason(): string | null {
    return this.ended?.reason ?? null;
  }

  execute(code: string, onMessage: (m: IOPubMessage) => void, timeoutMs: number): Promise<CellOutcome> {
    const notRun = (reason: string): CellOutcome => {
      onMessage({ msg_type: "error", content: { ename: "NotRun", evalue: reason, traceback: [`not run: ${reason}`] } });
      return { status: "error", executionCount: null };
    };
    if (this.ended) return Promise.resolve(notRun(this.ended.reason));
    const id = randomUUID();
    return new Promise<CellOutcome>((resolve) => {
      let timedOut = false;
      let grace: NodeJS.Timeout | undefined;
      const finish = (outcome: CellOutcome) => {
        clearTimeout(timer);
        clearTimeout(grace);
        this.waiting.delete(id);
        this.onEnd.delete(onEnded);
        resolve(outcome);
      };
      const onEnded = (e: Ended) => finish(notRun(e.reason));
      this.onEnd.add(onEnded);
      const timer = setTimeout(() => {
        timedOut = true;
        // An interrupt as from the stop button: the cell ends with an error, the next ones still run.
        const worker = this.child.pid ? findInTree(this.child.pid, process.execPath, "grade-worker") : null;
        if (worker) process.kill(worker, "SIGINT");
        grace = setTimeout(() => this.kill(`a cell ran past its ${Math.round(timeoutMs / 1000)} s and did not stop when interrupted`), GRACE_MS);
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        for (const m of r.messages ?? []) onMessage(m);
        if (r.truncated) onMessage({ msg_type: "stream", content: { name: "stderr", text: "[output truncated by the grader]\n" } });
        finish({ status: timedOut ? "timeout" : r.status === "ok" ? "ok" : "error", executionCount: r.executionCount ?? null });
      });
      (this.child.stdin as Writable).write(JSON.stringify({ id, code }) + "\n");
    });
  }

  async close(): Promise<void> {
    clearInterval(this.monitor);
    (this.child.stdin as Writable).end();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          if (this.child.pid) signalTree(this.child.pid, "SIGKILL");
          resolve();
        }, 5000);
        this.child.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
