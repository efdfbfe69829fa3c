/**
 * Optional WebAssembly features the kernels use when the engine has them.
 *
 * Relaxed SIMD brings f32x4.relaxed_madd, a fused multiply-add: it doubles the arithmetic a
 * matmul's inner loop does per instruction. Browsers ship it (Chrome 114, Firefox 120); Node 20's
 * V8 (11.3) has it complete behind `--experimental-wasm-relaxed-simd`, which, like other V8
 * flags, can be set after start-up for modules compiled afterwards. GRADLAB_WASM_FMA=0 turns it
 * off (then matmuls round like the TypeScript reference, after each multiply and add).
 */

import { LIBRARY_V8_FLAGS } from "../../../host/v8-flags.js";

// (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_MADD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

let relaxed: boolean | undefined;

export function relaxedSimd(): boolean {
  if (relaxed !== undefined) return relaxed;
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown } }).process;
  if (proc?.env?.["GRADLAB_WASM_FMA"] === "0") return (relaxed = false);
  if (typeof WebAssembly !== "object") return (relaxed = false);
  if (!WebAssembly.validate(RELAXED_MADD_PROBE) && typeof proc?.getBuiltinModule === "function") {
    try {
      const v8 = proc.getBuiltinModule("node:v8") as { setFlagsFromString(f: string): void };
      for (const flag of LIBRARY_V8_FLAGS.relaxedSimd) v8.setFlagsFromString(flag);
    } catch {
      // Not Node, or flags refused: plain SIMD it is.
    }
  }
  return (relaxed = WebAssembly.validate(RELAXED_MADD_PROBE));
}
