import { describe, expect, it } from "vitest";
import { CpuBackend } from "../../../../lib/backend/cpu/cpu-backend.js";
import { nativeBlas, nativeBlasStatus } from "../../../../lib/backend/cpu/native-blas.js";
import { ReferenceCpuBackend } from "../../../../lib/backend/cpu/reference-backend.js";
import { KC } from "../../../../lib/backend/cpu/wasm/gemm-driver.js";
import { absProduct, broadcastBatch, expectNear, operandLayouts, randomF32, rng, view } from "./helpers.js";

const ref = new ReferenceCpuBackend();
const blas = nativeBlas();
// In CI the addon must be there (docker/setup.sh, which .ci/run runs, installs gcc and
// libopenblas-dev; `npm run build` compiles it); elsewhere a machine without them keeps the
// Wasm kernels and skips this file, as does GRADLAB_NATIVE_BLAS=0, which turns it off on purpose.
const present = blas !== null || (process.env["CI"] === "true" && process.env["GRADLAB_NATIVE_BLAS"] !== "0");

describe.runIf(present)("the native BLAS (OpenBLAS through native/blas.c)", () => {
  const be = new CpuBackend({ threads: 1 });

  it("is loaded, and the CPU backend uses it", () => {
    expect(blas, nativeBlasStatus()).not.toBeNull();
    expect(be.wasm?.native).toBe(blas);
    expect(new CpuBackend({ nativeBlas: false }).wasm?.native).toBeNull();
  });

  it("agrees with the reference on every operand layout (strided ones fall back to the Wasm kernels)", () => {
    const r = rng(7);
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [6, 8, 4], [64, 784, 128], [784, 64, 128], [13, KC + 3, 11]] as const) {
      const a = randomF32(m * k, Math.floor(r(0, 1e6)));
      const b = randomF32(k * n, Math.floor(r(0, 1e6)));
      const want = ref.matmul(view(a, [m, k]), view(b, [k, n]), "float32");
      const scale = absProduct(a, b, m, k, n);
      for (const [name, va, vb] of operandLayouts(a, b, m, k, n)) {
        expectNear(be.matmul(va, vb, "float32"), want, 1e-6 * Math.sqrt(k) + 1e-6, `${m}×${k}×${n} ${name}`, scale);
      }
    }
  });

  it("runs each matrix of a batch, broadcast batch axes and offsets included", () => {
    const [va, vb] = broadcastBatch(5, 9, 7, 31);
    expectNear(be.matmul(va, vb, "float32"), ref.matmul(va, vb, "float32"), 1e-5, "batched");
  });

  it("refuses, computing nothing, what it cannot take: operands outside memory, misaligned or non-contiguous ones", () => {
    const memory = new Uint8Array(3 * 64);
    const f = new Float32Array(memory.buffer);
    f.fill(1);
    // A, B, C: 4×4 at bytes 0, 64, 128. C = A·B gives 4 everywhere; += gives 8.
    expect(blas!.sgemm(memory, 0, 4, 1, 64, 4, 1, 128, 4, 4, 4, 4, 0)).toBe(true);
    expect([...f.subarray(32)]).toEqual(new Array(16).fill(4));
    expect(blas!.sgemm(memory, 0, 4, 1, 64, 4, 1, 128, 4, 4, 4, 4, 1)).toBe(true);
    expect([...f.subarray(32)]).toEqual(new Array(16).fill(8));
    expect(blas!.sgemm(memory, 0, 4, 1, 64, 4, 1, 132, 4, 4, 4, 4, 0), "C past the end").toBe(false);
    // Inside memory (126 + 64 ≤ 192), so only the alignment check can refuse it.
    expect(blas!.sgemm(memory, 0, 4, 1, 64, 4, 1, 126, 4, 4, 4, 4, 0), "misaligned").toBe(false);
    expect(blas!.sgemm(memory, 0, 8, 2, 64, 4, 1, 128, 2, 2, 2, 4, 0), "A contiguous along no axis").toBe(false);
    expect(blas!.sgemm(memory, 0, 4, 1, 64, 4, 1, 128, 0, 4, 4, 4, 0), "no rows").toBe(false);
    expect(blas!.sgemm(new Float32Array(48) as unknown as Uint8Array, 0, 4, 1, 64, 4, 1, 128, 4, 4, 4, 4, 0), "not bytes").toBe(false);
    expect([...f.subarray(32)]).toEqual(new Array(16).fill(8)); // untouched by the refusals
  });
});
