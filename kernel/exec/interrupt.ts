// Interrupts. The wire worker bumps a shared counter and sends SIGINT to the process:
// - inside a synchronous stretch of a cell, `vm` (breakOnSigint) aborts the running script,
//   unless signals are unsafe (see signals.ts); loops in cells also check the counter;
// - while a cell awaits, the SIGINT listener below rejects what the cell is waiting for;
// - library code that runs long (train.fit) checks through the host hook (hostHook below).

import { kernelLog } from "../log.js";
import { watchSigint, type SigintWatch } from "./sigint-watch.js";
import { setSignalScope } from "./signals.js";

export class InterruptError extends Error {
  override name = "InterruptError";
  constructor() {
    super("the cell was interrupted");
  }
}

/** Node's error code when breakOnSigint stops a script. */
export const SCRIPT_INTERRUPTED = "ERR_SCRIPT_EXECUTION_INTERRUPTED";

export function isInterrupt(error: unknown): boolean {
  return error instanceof InterruptError || (error instanceof Error && (error as { code?: unknown }).code === SCRIPT_INTERRUPTED);
}

export class Interrupts {
  private readonly waiters = new Set<(error: InterruptError) => void>();
  private seen: number;
  /** The count when the last SIGINT was handled: tells a counted interrupt from a terminal's Ctrl+C. */
  private signalled: number;
  /** Numbers the cells; async work started by an interrupted cell is stopped at its next step. */
  private epoch = 0;
  private readonly cancelled = new Set<number>();

  constructor(private readonly count: () => number) {
    this.seen = count();
    this.signalled = this.seen;
    process.on("SIGINT", this.onSigint);
  }

  private readonly onSigint = (): void => this.fire();

  /**
   * Hands SIGINT to a watcher thread (see sigint-watch.ts), which makes every cell's
   * breakOnSigint cheap. Falls back to the process listener if the watcher fails, or for good
   * once a cell adds a SIGINT listener of its own: that listener takes the signal away from the
   * watcher, and vm then clears the handler around every script.
   */
  watchSignals(): void {
    let active = true;
    let watch: SigintWatch | null = null;
    const fallBack = (): void => {
      active = false;
      setSignalScope(null);
      process.removeListener("newListener", onNewListener);
      if (!process.listeners("SIGINT").includes(this.onSigint)) process.on("SIGINT", this.onSigint);
      // When the cell that added a listener ends, Node's watchdog sets the signal's handler to
      // "exit"; listening afresh gives it back to Node's listeners.
      setImmediate(() => {
        const listeners = process.rawListeners("SIGINT") as ((...args: unknown[]) => void)[];
        process.removeAllListeners("SIGINT");
        for (const listener of listeners) process.on("SIGINT", listener);
      });
    };
    const onNewListener = (event: string | symbol, listener: unknown): void => {
      if (event !== "SIGINT" || listener === this.onSigint || !active) return;
      kernelLog("a cell added its own SIGINT listener; interrupts take the slower path from now on");
      watch?.stop();
      fallBack();
    };
    process.on("newListener", onNewListener);
    try {
      watch = watchSigint({
        takeOver: () => {
          if (!active || process.listenerCount("SIGINT") > 1) return false;
          process.removeListener("SIGINT", this.onSigint);
          setSignalScope(watch!.scope);
          return true;
        },
        onSignal: () => this.fire(),
        onFailure: (error) => {
          if (!active) return;
          kernelLog(`SIGINT watcher: ${error.message}; interrupts take the slower path`);
          fallBack();
        },
      });
    } catch (error) {
      // No threads allowed (the grading sandbox): the process listener keeps the signal.
      kernelLog(`SIGINT watcher: ${error instanceof Error ? error.message : String(error)}; interrupts take the slower path`);
      fallBack();
    }
  }

  /** A cell starts: interrupts that arrived while nothing was running are forgotten. */
  reset(): void {
    this.seen = this.count();
    this.epoch++;
  }

  /** True when an interrupt arrived since the last reset (checked between compiling and running). */
  requested(): boolean {
    return this.count() !== this.seen;
  }

  /** Throws InterruptError when the running cell was interrupted (loop checks in cells). */
  throwIfRequested(): void {
    if (this.requested()) throw new InterruptError();
  }

  /**
   * What library code started by the running cell uses to stop when that cell is interrupted,
   * even after the cell itself has ended (DESIGN.md: the library has no kernel dependency).
   */
  hostHook(): { watch(): () => void } {
    return {
      watch: () => {
        const epoch = this.epoch;
        return () => {
          if (this.isCancelled(epoch)) throw new InterruptError();
        };
      },
    };
  }

  currentEpoch(): number {
    return this.epoch;
  }

  /** Whether async work started during cell `epoch` must stop. */
  isCancelled(epoch: number): boolean {
    if (epoch === this.epoch && this.requested()) this.cancelled.add(epoch);
    return this.cancelled.has(epoch);
  }

  /** Settles like `promise`, or rejects with InterruptError when the user interrupts first. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.requested()) return Promise.reject(new InterruptError());
    return new Promise<T>((resolve, reject) => {
      const waiter = (error: InterruptError): void => reject(error);
      this.waiters.add(waiter);
      promise.then(
        (value) => {
          this.waiters.delete(waiter);
          resolve(value);
        },
        (error: unknown) => {
          this.waiters.delete(waiter);
          reject(error);
        },
      );
    });
  }

  private fire(): void {
    const count = this.count();
    if (count === this.signalled) {
      // Nothing was counted for this signal: it came from a terminal (Ctrl+C), not the worker.
      this.seen = count - 1;
    } else {
      this.signalled = count;
      // Counted before the running cell started (the signal is handled late when the main
      // thread was busy): it arrived while nothing ran, and must not stop this cell.
      if (!this.requested()) return;
    }
    this.cancelled.add(this.epoch);
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter(new InterruptError());
  }
}
