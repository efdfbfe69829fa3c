import { Worker } from "node:worker_threads";

// vm's breakOnSigint starts a watchdog thread when the first breakOnSigint script begins and
// joins it when the last one ends: about 0.35 ms on every cell. This worker keeps one such script
// running for the kernel's lifetime (blocked in Atomics.wait), so the thread stays up and a
// cell's own watchdog is only a counter bump (a few µs).
//
// Node tells the newest running script first and stops there: a SIGINT during a cell's
// synchronous run stops the cell, as before. A SIGINT at any other moment (idle, or a cell
// waiting on an await) stops this worker's script instead; the worker reports it and waits again.
//
// The main thread must have no SIGINT listener of its own while this runs: vm removes and
// re-adds such listeners around every script, and libuv resets the signal's handler to the
// default when the last listener goes, which would undo the watchdog's handler.
const WATCHER = `
const { workerData, parentPort } = require("node:worker_threads");
const vm = require("node:vm");
const gate = new Int32Array(workerData.gate);
globalThis.__gate = gate;
parentPort.postMessage("ready");
// Released once the main thread has removed its own SIGINT listener (see above).
Atomics.wait(gate, 0, 0);
const watch = new vm.Script("Atomics.wait(__gate, 0, 1)");
while (Atomics.load(gate, 0) === 1) {
  try {
    watch.runInThisContext({ breakOnSigint: true });
  } catch (error) {
    if (error && error.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") parentPort.postMessage("sigint");
    else throw error;
  }
}
`;

const WATCHING = 1;
const STOPPED = 2;

export interface SigintWatch {
  stop(): void;
}

/**
 * Starts the watcher. `takeOver` runs on the main thread just before the watcher takes the
 * signal: it removes the main thread's SIGINT listener, or returns false to cancel. `onSignal`
 * runs for every SIGINT that arrives while no cell runs synchronously. `onFailure` reports a
 * watcher that could not start or died: the caller then restores its own listener.
 */
export function watchSigint(handlers: { takeOver(): boolean; onSignal(): void; onFailure(error: Error): void }): SigintWatch {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WATCHER, { eval: true, workerData: { gate: gate.buffer } });
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
    if (Atomics.load(gate, 0) !== STOPPED) handlers.onFailure(new Error(`the SIGINT watcher exited (code ${code})${watching ? "" : " before it started"}`));
  });
  function stop(): void {
    Atomics.store(gate, 0, STOPPED);
    Atomics.notify(gate, 0);
  }
  return { stop };
}
