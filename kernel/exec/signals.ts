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
