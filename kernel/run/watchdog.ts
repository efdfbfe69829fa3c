import { Worker } from "node:worker_threads";

// Runs on its own thread: a cell stuck in a synchronous loop blocks every timer of the main
// thread, so only another thread can notice the deadline and send the interrupt.
const WATCHER = `
const { workerData } = require("node:worker_threads");
const control = new Int32Array(workerData.control);
const counter = new Int32Array(workerData.counter);
if (Atomics.wait(control, 0, 0, workerData.ms) === "timed-out" && Atomics.compareExchange(control, 0, 0, 1) === 0) {
  Atomics.add(counter, 0, 1);
  process.kill(process.pid, "SIGINT");
}
`;

/** Interrupts the running cell (as the kernel's socket worker does) when it passes its deadline. */
export function armWatchdog(counter: Int32Array, ms: number): { cancel(): void; fired(): boolean } {
  const control = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WATCHER, { eval: true, workerData: { control: control.buffer, counter: counter.buffer, ms } });
  worker.unref();
  return {
    cancel() {
      // 2 = cancelled; wakes the watcher, which then exits without interrupting.
      if (Atomics.compareExchange(control, 0, 0, 2) === 0) Atomics.notify(control, 0);
    },
    fired: () => Atomics.load(control, 0) === 1,
  };
}
