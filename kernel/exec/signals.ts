// Whether an interrupt may stop JavaScript with a signal (vm's breakOnSigint, which terminates
// execution wherever it is). That is unsafe while WebGPU is in use: terminating in the middle of
// a native Dawn call crashes the process. Then interrupts rely on the checks in cell loops and
// in the library's long-running functions, and on the race around every await.
let signalsSafe: () => boolean = () => true;

export function setSignalsSafe(predicate: () => boolean): void {
  signalsSafe = predicate;
}

export function breakOnSigint(): boolean {
  return signalsSafe();
}

/** Held around every script the main thread runs with breakOnSigint (see sigint-watch.ts). */
export interface SignalScope {
  enter(): void;
  leave(): void;
}

let scope: SignalScope | null = null;

export function setSignalScope(next: SignalScope | null): void {
  scope = next;
}

/** Runs a script of a cell (`run` gets the breakOnSigint option to pass to vm). */
export function runWithSignals<T>(run: (breakOnSigint: boolean) => T): T {
  const on = signalsSafe();
  const held = on ? scope : null;
  if (!held) return run(on);
  held.enter();
  try {
    return run(true);
  } finally {
    held.leave();
  }
}
