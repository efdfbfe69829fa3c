import { Worker } from "node:worker_threads";
import type { SignalScope } from "./signals.js";

// vm's breakOnSigint starts a watchdog thread when the first breakOnSigint script begins and
// joins it when the last one ends: about 0.35 ms on every cell. This worker keeps one such script
// running for the kernel's lifetime (blocked in Atomics.wait), so the thread stays up and a
// cell's own watchdog is only a counter bump (a few µs).
//
// Node tells the newest running script first and stops there. A lock keeps the watcher's script
// older than any script of the main thread: the watcher (re)starts its script only while the
// main thread runs none, and the main thread waits (microseconds) while the watcher is starting
// it. So a SIGINT during a cell's synchronous run stops the cell, as before; a SIGINT at any
// other moment (idle, or a cell waiting on an await) stops the watcher's script instead, which
// reports it and starts again.
//
// The main thread must have no SIGINT listener of its own while this runs: vm removes and
// re-adds such listeners around every script, and libuv resets the signal's handler to the
// default when the last listener goes, which would undo the watchdog's handler.

/** Gate states: waiting for the takeover, watching, asked to stop, its script ended. */
const WAITING = 0;
const WATCHING = 1;
const STOPPED = 2;
const EXITED = 3;
/** Lock states: free, held by the main thread (running a script), held by the watcher (starting its script). */
const FREE = 0;
const MAIN = 1;
const WATCHER_STARTING = 2;

const WATCHER = `
const { workerData, parentPort } = require("node:worker_threads");
const vm = require("node:vm");
const gate = new Int32Array(workerData.gate);
const lock = new Int32Array(workerData.lock);
globalThis.__gate = gate;
globalThis.__lock = lock;
parentPort.postMessage("ready");
// Released once the main thread has removed its own SIGINT listener (see above).
Atomics.wait(gate, 0, ${WAITING});
// The lock is given back as soon as the script runs, its watchdog registered.
const watch = new vm.Script("Atomics.store(__lock, 0, ${FREE}); Atomics.notify(__lock, 0); Atomics.wait(__gate, 0, ${WATCHING})");
for (;;) {
  let locked = false;
  while (Atomics.load(gate, 0) === ${WATCHING} && !(locked = Atomics.compareExchange(lock, 0, ${FREE}, ${WATCHER_STARTING}) === ${FREE})) Atomics.wait(lock, 0, ${MAIN}, 50);
  if (!locked) break;
  try {
    watch.runInThisContext({ breakOnSigint: true });
  } catch (error) {
    if (error && error.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") parentPort.postMessage("sigint");
    else throw error;
  } finally {
    // Stopped before its first statement, the script did not give the lock back.
    if (Atomics.compareExchange(lock, 0, ${WATCHER_STARTING}, ${FREE}) === ${WATCHER_STARTING}) Atomics.notify(lock, 0);
  }
  if (Atomics.load(gate, 0) !== ${WATCHING}) break;
}
// Its script has ended, and with it its hold on Node's watchdog.
Atomics.store(gate, 0, ${EXITED});
Atomics.notify(gate, 0);
`;

export interface SigintWatch {
  /** Returns once the watcher no longer holds Node's watchdog (at most about a second). */
  stop(): void;
  /** To hold around every script the main thread runs with breakOnSigint (signals.ts). */
  scope: SignalScope;
}

/**
 * Starts the watcher. `takeOver` runs on the main thread just before the watcher takes the
 * signal: it removes the main thread's SIGINT listener, or returns false to cancel. `onSignal`
 * runs for every SIGINT that arrives while no cell runs synchronously. `onFailure` reports a
 * watcher that could not start or died: the caller then restores its own listener.
 */
export function watchSigint(handlers: { takeOver(): boolean; onSignal(): void; onFailure(error: Error): void }): SigintWatch {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const lock = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WATCHER, { eval: true, workerData: { gate: gate.buffer, lock: lock.buffer } });
  worker.unref();
  let watching = false;
  worker.on("message", (message: unknown) => {
    if (message === "ready") {
      if (Atomics.load(gate, 0) === STOPPED) return;
      if (!handlers.takeOver()) {
        stop();
        return;
      }
      watching = true;
      Atomics.store(gate, 0, WATCHING);
      Atomics.notify(gate, 0);
    } else if (message === "sigint") {
      handlers.onSignal();
    }
  });
  worker.on("error", (error) => handlers.onFailure(error));
  worker.on("exit", (code) => {
    if (Atomics.load(gate, 0) < STOPPED) handlers.onFailure(new Error(`the SIGINT watcher exited (code ${code})${watching ? "" : " before it started"}`));
  });
  function stop(): void {
    if (Atomics.load(gate, 0) >= STOPPED) return;
    Atomics.store(gate, 0, STOPPED);
    Atomics.notify(gate, 0);
    // A watcher waiting for the lock looks at the gate again.
    Atomics.notify(lock, 0);
    // Synchronously: a script the main thread runs next must not find the watchdog still held
    // (it would then not install its own signal handler).
    if (watching) Atomics.wait(gate, 0, STOPPED, 1000);
  }
  // Scripts nest (a library call guarded inside a cell's step): only the outermost takes the lock.
  let depth = 0;
  const scope: SignalScope = {
    enter() {
      if (depth++ > 0) return;
      while (Atomics.compareExchange(lock, 0, FREE, MAIN) !== FREE) Atomics.wait(lock, 0, WATCHER_STARTING, 5);
    },
    leave() {
      if (--depth > 0) return;
      Atomics.store(lock, 0, FREE);
      Atomics.notify(lock, 0);
    },
  };
  return { stop, scope };
}
