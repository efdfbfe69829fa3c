import { describe, expect, it } from "vitest";
import { ReferenceCpuBackend } from "../../../../lib/backend/cpu/reference-backend.js";
import { blockRows, KC } from "../../../../lib/backend/cpu/wasm/gemm-driver.js";
import { WasmOps } from "../../../../lib/backend/cpu/wasm/ops.js";
import { createRuntime } from "../../../../lib/backend/cpu/wasm/runtime.js";
import { absProduct, expectNear, operandLayouts, randomF32, rng, view } from "./helpers.js";

const ref = new ReferenceCpuBackend();

// Both register tiles the runtime can build: 6×8 where a fused multiply-add exists, 4×8 without.
describe.each([
  { fma: true, MR: 6 },
  { fma: false, MR: 4 },
])("the $MR×8 GEMM kernels (fma: $fma)", ({ fma, MR }) => {
  const rt = createRuntime(true, fma);
  const ops = rt && new WasmOps(rt);

  it("are what the runtime built", () => {
    expect(rt?.gemm.MR).toBe(MR);
    expect(rt?.gemm.NR).toBe(8);
  });

  // Rows around the tile height (whole tiles, the 4-row tail, other ragged tails) and past a
  // block; depths below 4 steps, ragged, and past one slice (so tiles accumulate into C).
  const rows = [1, 2, 3, 4, 5, 6, 7, 10, 12, 16, 64, blockRows({ MR, NR: 8, KU: 1 }) + 4];
  for (const m of rows) {
    it(`agree with the reference for ${m} rows, every operand layout`, () => {
      const r = rng(100 + m);
      for (const [k, n] of [[3, 8], [7, 13], [KC + 5, 9], [64, 24]] as const) {
        const a = randomF32(m * k, Math.floor(r(0, 1e6)));
        const b = randomF32(k * n, Math.floor(r(0, 1e6)));
        const want = ref.matmul(view(a, [m, k]), view(b, [k, n]), "float32");
        const scale = absProduct(a, b, m, k, n);
        for (const [name, va, vb] of operandLayouts(a, b, m, k, n)) {
          const got = new Float32Array(m * n).fill(123); // a recycled output holds old values
          expect(ops!.matmul(va, vb, got), `${m}×${k}×${n} ${name} handled`).toBe(true);
          expectNear(got, want, 1e-6 * Math.sqrt(k) + 1e-6, `${m}×${k}×${n} ${name}`, scale);
        }
      }
    });
  }
});

describe("blockRows", () => {
  const six = { MR: 6, NR: 8, KU: 1 };
  it("splits rows into even blocks of whole tiles, at most 32 tiles each", () => {
    expect(blockRows(six)).toBe(192);
    expect(blockRows(six, 64)).toBe(192); // one block
    expect(blockRows(six, 256)).toBe(132); // 132 + 124, not 192 + 64
    expect(blockRows(six, 784)).toBe(162); // 4 × 162 + 136
    expect(blockRows({ ...six, MR: 4 }, 256)).toBe(128);
    for (const m of [193, 500, 1000, 4097]) {
      const mc = blockRows(six, m);
      expect(mc % 6, `${m} rows`).toBe(0);
      expect(mc, `${m} rows`).toBeLessThanOrEqual(192);
      expect(Math.ceil(m / mc), `${m} rows: no more blocks than needed`).toBe(Math.ceil(m / 192));
    }
  });
});
