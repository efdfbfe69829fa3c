import { afterAll, describe, expect, it } from "vitest";
import { CpuBackend } from "../../../../lib/backend/cpu/cpu-backend.js";
import { ReferenceCpuBackend } from "../../../../lib/backend/cpu/reference-backend.js";
import { KC } from "../../../../lib/backend/cpu/wasm/gemm-driver.js";
import { PARALLEL_MIN_MACS } from "../../../../lib/backend/cpu/wasm/threads.js";
import { absProduct, broadcastBatch, expectNear, expectSame, randomF32, rng, transposedView, view } from "./helpers.js";

const ref = new ReferenceCpuBackend();
// The Wasm kernels themselves (the native BLAS has its own tests: native-blas.test.ts).
const single = new CpuBackend({ threads: 1, nativeBlas: false });
const threaded = new CpuBackend({ threads: 2, nativeBlas: false });

describe("Wasm matmul (packed, register-blocked, cache-blocked) agrees with the reference", () => {
  afterAll(() => undefined);

  it("on odd sizes, single rows and columns, and depths past one cache block", () => {
    const r = rng(11);
    const sizes: [number, number, number][] = [
      [1, 1, 1], [1, 7, 1], [3, 5, 7], [4, 8, 8], [5, 9, 17], [17, 4, 9], [33, 31, 2], [1, 300, 40], [64, 784, 10],
      [13, KC + 3, 11], [7, 2 * KC + 1, 5], [130, 20, 515], // past MC rows and NC columns
    ];
    for (const [m, k, n] of sizes) {
      const a = randomF32(m * k, Math.floor(r(0, 1e6)));
      const b = randomF32(k * n, Math.floor(r(0, 1e6)));
      const want = ref.matmul(view(a, [m, k]), view(b, [k, n]), "float32");
      const scale = absProduct(a, b, m, k, n);
      const got = new Float32Array(m * n);
      expect(single.wasm!.matmul(view(a, [m, k]), view(b, [k, n]), got), `${m}×${k}×${n} handled`).toBe(true);
      expectNear(got, want, 1e-6 * Math.sqrt(k) + 1e-6, `${m}×${k}×${n}`, scale);
      // Transposed operands, as a backward pass produces (aᵀ@g, g@bᵀ): packing reads any strides.
      const aT = transposedView(a, m, k);
      const bT = transposedView(b, k, n);
      const got2 = new Float32Array(m * n);
      expect(single.wasm!.matmul(aT, bT, got2)).toBe(true);
      expectNear(got2, want, 1e-6 * Math.sqrt(k) + 1e-6, `${m}×${k}×${n} transposed`, scale);
    }
  });

  it("on batches with broadcast batch axes and offsets into a larger buffer", () => {
    const [m, k, n] = [6, 10, 9];
    const [va, vb] = broadcastBatch(m, k, n, 21);
    const want = ref.matmul(va, vb, "float32");
    const got = new Float32Array(2 * 3 * m * n);
    expect(single.wasm!.matmul(va, vb, got)).toBe(true);
    expectNear(got, want, 1e-5, "batched");
  });

  it("k = 0 gives zeros, even in a recycled (dirty) output", () => {
    const out = new Float32Array(12).fill(7);
    expect(single.wasm!.matmul(view(new Float32Array(0), [3, 0]), view(new Float32Array(0), [0, 4]), out)).toBe(true);
    expectSame(out, new Float32Array(12), "k = 0");
  });

  it("gives the same bits on two threads as on one", async () => {
    expect(await threaded.startThreads()).toBe(2);
    const n = Math.ceil(Math.cbrt(PARALLEL_MIN_MACS)) + 37; // above the threading threshold, ragged blocks
    const a = randomF32(n * (KC + 40), 31);
    const b = randomF32((KC + 40) * n, 32);
    const va = view(a, [n, KC + 40]);
    const vb = view(b, [KC + 40, n]);
    const one = single.matmul(va, vb, "float32");
    for (let rep = 0; rep < 3; rep++) expectSame(threaded.matmul(va, vb, "float32"), one, `threaded run ${rep}`);
    expectNear(one, ref.matmul(va, vb, "float32"), 1e-6 * Math.sqrt(KC + 40), "vs reference", absProduct(a, b, n, KC + 40, n));
  });

  it("float64 and int32 products stay on the reference (exact to 1e-12)", () => {
    const a = new Float64Array([1.5, 2.25, -3, 4.125e-3, 5, 6]);
    const b = new Float64Array([7, 8, 9, 10, 11, 12]);
    const va = view(a, [2, 3], undefined, 0, "float64");
    const vb = view(b, [3, 2], undefined, 0, "float64");
    expectSame(single.matmul(va, vb, "float64"), ref.matmul(va, vb, "float64"), "float64");
  });
});

describe("Wasm sums agree with the reference's float64 accumulation", () => {
  const cases: [number[], number[]][] = [
    [[1], [0]], [[1000], [0]], [[7, 13], [1]], [[7, 13], [0]], [[64, 128], [0]], [[3, 5, 11], [1]],
    [[3, 5, 11], [0, 2]], [[2, 3, 4, 5], [2, 3]], [[4, 1, 9], [0]], [[6, 0], [1]], [[0, 6], [0]], [[5, 7], [0, 1]],
  ];
  for (const [shape, axes] of cases) {
    it(`sum over ${JSON.stringify(axes)} of ${JSON.stringify(shape)}`, () => {
      const n = shape.reduce((p, d) => p * d, 1);
      const x = view(randomF32(n, 40 + n), shape);
      const want = ref.reduce("sum", x, axes, "float32");
      const got = new Float32Array(want.length);
      const handled = single.wasm!.sum(x, axes, got);
      // [3,5,11] over [0,2] and [5,7] over all reduce non-adjacent or all axes: still handled or declined cleanly.
      if (handled) expectNear(got, want, 1e-6, "sum");
      expectNear(single.reduce("sum", x, axes, "float32"), want, 1e-6, "backend sum");
    });
  }

  it("handles the layouts a network needs: bias gradients (over rows) and row sums", () => {
    const x = view(randomF32(64 * 128, 9), [64, 128]);
    expect(single.wasm!.sum(x, [0], new Float32Array(128))).toBe(true);
    expect(single.wasm!.sum(x, [1], new Float32Array(64))).toBe(true);
    expect(single.wasm!.sum(x, [0, 1], new Float32Array(1))).toBe(true);
  });
});
