// The kernel's V8 configuration, shared by the snapshot build, both launchers and a kernel
// started without a snapshot (which sets KERNEL_V8_FLAGS only).
import { setFlagsFromString } from "node:v8";
import { ALL_LIBRARY_V8_FLAGS } from "../lib/host/v8-flags.js";

/**
 * V8 flags of every kernel process. A snapshot can only be restored with the flags it was
 * built with, so its build uses these (with SNAPSHOT_V8_FLAGS' own) and records them next to
 * the blob (snapshot/launch.ts).
 *
 * Four times V8's default interrupt budget: TypeScript runs thousands of its functions once per
 * cell, and with the default budget V8 kept sending them to its optimizing compiler for
 * hundreds of cells. Those background compiles took about as much CPU as the kernel itself
 * (7 ms per `1+1` cell on a 2-core machine), CPU the kernel and the notebook's browser need.
 * With this budget only really hot functions are optimized: in alternating runs the kernel used
 * 30–40% less CPU per cell and answered 6–20% sooner; loops in cells, and the library's
 * kernels, run long enough to be optimized all the same (training benchmarks unchanged).
 * The library's own flags (lib/host/v8-flags.ts) come from the start too, so the snapshot is
 * built and restored with them rather than the library changing them after the restore.
 */
export const KERNEL_V8_FLAGS: readonly string[] = ["--interrupt-budget=270336", ...ALL_LIBRARY_V8_FLAGS];

/**
 * The flags of the snapshot's build and of every process restored from it: the kernel's, and
 * `--no-rehash-snapshot`. By default V8 gives a restored heap a new hash seed and so recomputes
 * every hash table in it, about 25 ms of a kernel's start for the snapshot's ~40 MB (its
 * deserialization went from 175 to 150 ms). Without it the heap keeps the seed it was built
 * with, Node's own, which makes the seed predictable; what that protects against, hash flooding
 * by crafted keys, is not a threat to a notebook kernel, which hashes its own user's data.
 * Only on the command line: set at run time (applyKernelV8Flags), the next worker thread's
 * isolate disagrees with the main one about the seed and Node crashes.
 */
export const SNAPSHOT_V8_FLAGS: readonly string[] = [...KERNEL_V8_FLAGS, "--no-rehash-snapshot"];

/** Gives a kernel started without a snapshot the flags a restored one has. */
export function applyKernelV8Flags(): void {
  for (const flag of KERNEL_V8_FLAGS) setFlagsFromString(flag);
}
