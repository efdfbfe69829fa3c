// A kernel for a server that runs many (a classroom's JupyterHub): GRADLAB_LEAN=1, which
// `gradlab hub-config` sets for every student. It gives up two helpers that each cost memory
// in every kernel for a gain a single user notices and a classroom does not:
// - the socket relay process (bin/gradlab-kernel.sh; 44 MB RSS, 20 MB PSS): the first reply
//   comes ~0.1 s later (a frontend's first request waits in ZeroMQ's reconnect timer), still
//   inside the 600 ms target;
// - the SIGINT watcher thread (exec/sigint-watch.ts; its V8 isolate and malloc arena, ~30 MB
//   RSS). Without it, vm's breakOnSigint would take the process's SIGINT listener away around
//   every script, and a signal in that moment would end the kernel; so a lean kernel interrupts
//   as on WebGPU (globals.ts): loops in cells check, awaits race the interrupt, the library's
//   long computations poll. Only a long stretch of code without any loop (deep recursion) is
//   not stopped in the middle.
// Together 255 → 180 MB RSS per kernel.
// Measured in `npm run bench:kernel` (gradlab-lean).

/** Whether this kernel runs lean (any value but "", "0" or "false"). */
export function isLean(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.GRADLAB_LEAN?.trim().toLowerCase();
  return Boolean(value) && value !== "0" && value !== "false";
}
