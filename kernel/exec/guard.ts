// Runs a function inside a vm script with breakOnSigint, the only place where Node stops
// running JavaScript on SIGINT (when signals are safe: see signals.ts). Each step of a cell's
// generator runs this way (interruptible.cts).
import vm from "node:vm";
import { runWithSignals } from "./signals.js";

const SLOT = Symbol.for("gradlab.guarded");
export const GUARD_FILE = "gradlab:guard";
const script = new vm.Script(`globalThis[Symbol.for("gradlab.guarded")]()`, { filename: GUARD_FILE });

export function guarded<T>(fn: () => T): T {
  const slots = globalThis as unknown as Record<symbol, unknown>;
  const previous = slots[SLOT];
  slots[SLOT] = fn;
  try {
    return runWithSignals((breakOnSigint) => script.runInThisContext({ breakOnSigint }) as T);
  } finally {
    slots[SLOT] = previous;
  }
}
