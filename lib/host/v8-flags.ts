/**
 * V8 flags the library sets for itself at run time in Node, for code compiled afterwards:
 * `gc` and FinalizationRegistry.cleanupSome, so that memory the garbage collector cannot see is
 * reclaimed inside loops that never yield (tensor/collector.ts), and relaxed SIMD's fused
 * multiply-add for matmuls (backend/cpu/wasm/features.ts). A process that wants a fixed
 * configuration (the kernel, whose start-up snapshot must be restored with the flags it was
 * built with) passes them on its command line instead; setting them again changes nothing.
 */
export const LIBRARY_V8_FLAGS = {
  gc: ["--expose-gc", "--harmony-weak-refs-with-cleanup-some"],
  relaxedSimd: ["--experimental-wasm-relaxed-simd"],
} as const;

export const ALL_LIBRARY_V8_FLAGS: readonly string[] = [...LIBRARY_V8_FLAGS.gc, ...LIBRARY_V8_FLAGS.relaxedSimd];
