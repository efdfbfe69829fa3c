import { describe, expect, it } from "vitest";
import type { BinaryOp } from "../../../../lib/backend/backend.js";
import { CpuBackend } from "../../../../lib/backend/cpu/cpu-backend.js";
import { ReferenceCpuBackend } from "../../../../lib/backend/cpu/reference-backend.js";
import { WASM_BINARY, WASM_COMPARE, WASM_UNARY, type WasmUnaryOp } from "../../../../lib/backend/cpu/wasm/kernels/elementwise.js";
import { expectSame, randomF32, view } from "./helpers.js";
import { contiguousStrides } from "../../../../lib/tensor/shape.js";

const ref = new ReferenceCpuBackend();
const be = new CpuBackend({ threads: 1 });
const ops = be.wasm!;

// Odd sizes around the 4- and 16-lane steps, a single element, and rows that end mid-vector.
const SHAPES: number[][] = [[1], [3], [4], [5], [15], [16], [17], [33], [2, 7], [3, 1, 9], [5, 16], [2, 3, 4, 5], [1000]];

describe("Wasm elementwise kernels agree bit for bit with the TypeScript reference", () => {
  it("is available on this machine (Node 20 has Wasm SIMD)", () => {
    expect(ops).not.toBeNull();
  });

  for (const op of Object.keys(WASM_UNARY) as WasmUnaryOp[]) {
    it(`unary ${op}: contiguous, strided rows, special values`, () => {
      SHAPES.forEach((shape, k) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = view(randomF32(n, 100 + k, true), shape);
        const want = ref.unary(op, x, "float32");
        const got = new Float32Array(n);
        expect(ops.unary(op, x, got), `${op} ${shape} handled`).toBe(true);
        expectSame(got, want, `${op} ${JSON.stringify(shape)}`);
      });
      // Every other row of a [6, 9] buffer: a row stride, contiguous rows.
      const buf = randomF32(6 * 9, 7, true);
      const rows = view(buf, [3, 9], [18, 1], 9);
      const got = new Float32Array(27);
      expect(ops.unary(op, rows, got)).toBe(true);
      expectSame(got, ref.unary(op, rows, "float32"), `${op} on strided rows`);
    });
  }

  it("declines a transposed view, and the backend then gives the reference result", () => {
    const x = view(randomF32(40 * 30, 3), [30, 40], [1, 30]);
    expect(ops.unary("relu", x, new Float32Array(1200))).toBe(false);
    expectSame(be.unary("relu", x, "float32"), ref.unary("relu", x, "float32"), "relu of a transpose");
  });

  const binaryOps = [...Object.keys(WASM_BINARY), ...Object.keys(WASM_COMPARE)] as BinaryOp[];
  for (const op of binaryOps) {
    const outDtype = op in WASM_COMPARE ? "bool" : "float32";
    const kernels = op in WASM_COMPARE ? ops.rt.kernels.compare[op as keyof typeof WASM_COMPARE] : ops.rt.kernels.binary[op as keyof typeof WASM_BINARY];
    it(`binary ${op}: same shapes, row and column broadcasts, higher ranks`, () => {
      const cases: [number[], number[], number[]][] = [
        [[1], [1], [1]],
        [[37], [37], [37]],
        [[5, 17], [5, 17], [5, 17]],
        [[5, 17], [17], [5, 17]], // bias add: b's rows repeat (row stride 0)
        [[5, 17], [5, 1], [5, 17]], // row max subtracted: b is one value per row
        [[5, 1], [5, 17], [5, 17]],
        [[1, 19], [4, 19], [4, 19]],
        [[2, 3, 21], [3, 21], [2, 3, 21]], // three axes: a leading loop around 2-D blocks
        [[2, 1, 6, 5], [3, 1, 5], [2, 3, 6, 5]],
      ];
      cases.forEach(([sa, sb, shape], k) => {
        const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
        const a = randomF32(size(sa), 200 + k, true);
        const b = randomF32(size(sb), 300 + k, true);
        // Equal values in places, so eq/le/ge and the tie rules of maximum/minimum are exercised.
        for (let i = 0; i < Math.min(a.length, b.length); i += 3) b[i] = a[i]!;
        const va = broadcast(view(a, sa), shape);
        const vb = broadcast(view(b, sb), shape);
        const want = ref.binary(op, va, vb, shape, outDtype);
        const got = outDtype === "bool" ? new Uint8Array(size(shape)) : new Float32Array(size(shape));
        expect(ops.binary(kernels, va, vb, shape, got), `${op} ${JSON.stringify([sa, sb])} handled`).toBe(true);
        expectSame(got, want, `${op} ${JSON.stringify([sa, sb])}`);
      });
    });
  }

  it("stages operands that live in plain JS arrays and writes plain JS outputs", () => {
    const a = view(randomF32(300, 1), [300]);
    const b = view(randomF32(300, 2), [300]);
    expect(ops.rt.heap.owns(a.buf)).toBe(false);
    const out = new Float32Array(300);
    expect(ops.binary(ops.rt.kernels.binary.mul, a, b, [300], out)).toBe(true);
    expectSame(out, ref.binary("mul", a, b, [300], "float32"), "mul of JS arrays");
  });

  it("the backend keeps large outputs in Wasm memory and uses the kernels for them", () => {
    const a = be.upload(randomF32(4096, 5));
    expect(ops.rt.heap.owns(a)).toBe(true);
    const out = be.binary("add", view(a, [64, 64]), view(a, [64, 64]), [64, 64], "float32");
    expect(ops.rt.heap.owns(out)).toBe(true);
    expectSame(out, ref.binary("add", view(a, [64, 64]), view(a, [64, 64]), [64, 64], "float32"), "add in the heap");
  });
});

/** A stride-0 view of v broadcast to `shape` (what the front end hands the backend). */
function broadcast(v: ReturnType<typeof view>, shape: number[]): ReturnType<typeof view> {
  const off = shape.length - v.shape.length;
  const own = contiguousStrides(v.shape);
  const strides = shape.map((d, i) => (i < off || v.shape[i - off] === 1 ? 0 : own[i - off]!));
  return view(v.buf, shape, strides, v.offset);
}
