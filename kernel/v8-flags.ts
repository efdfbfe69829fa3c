// The kernel's V8 configuration, shared by the snapshot build, both launchers and a kernel
// started without a snapshot.
import { setFlagsFromString } from "node:v8";

/**
 * V8 flags of every kernel process. A snapshot can only be restored with the flags it was
 * built with, so its build uses these and records them next to the blob (snapshot/launch.ts).
 *
 * Four times V8's default interrupt budget: TypeScript runs thousands of its functions once per
 * cell, and with the default budget V8 kept sending them to its optimizing compiler for
 * hundreds of cells. Those background compiles took about as much CPU as the kernel itself
 * (7 ms per `1+1` cell on a 2-core machine), CPU the kernel and the notebook's browser need.
 * With this budget only really hot functions are optimized: in alternating runs the kernel used
 * 30–40% less CPU per cell and answered 6–20% sooner; loops in cells, and the library's
 * kernels, run long enough to be optimized all the same (training benchmarks unchanged).
 */
export const KERNEL_V8_FLAGS: readonly string[] = ["--interrupt-budget=270336"];

/** Gives a kernel started without a snapshot the flags a restored one has. */
export function applyKernelV8Flags(): void {
  for (const flag of KERNEL_V8_FLAGS) setFlagsFromString(flag);
}
