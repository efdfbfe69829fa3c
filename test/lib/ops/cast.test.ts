// Casts copy through TypedArray.set when the input is one dense run, and through the generated
// strided loop otherwise; both must convert every element the same way.
import { describe, expect, it } from "vitest";
import { setBackend, tensor } from "../../../lib/index.js";
import type { DType } from "../../../lib/tensor/dtype.js";

const values = [-2.7, -1, -0.5, 0, 0.5, 1, 2.7, 3e9, -3e9, 7];

describe("cast on the CPU, dense and strided", () => {
  const cases: [DType, DType, number[]][] = [
    ["float32", "int32", [-2, -1, 0, 0, 0, 1, 2, -1294967296, 1294967296, 7]],
    ["float32", "bool", [1, 1, 1, 0, 1, 1, 1, 1, 1, 1]],
    ["float32", "float64", values.map((v) => Math.fround(v))],
  ];

  for (const [from, to, want] of cases) {
    it(`${from} → ${to}`, async () => {
      await setBackend("cpu");
      const x = tensor(values, { dtype: from });
      expect(Array.from(x.cast(to).dataSync())).toEqual(want);
      // The same values as a transposed 2×5 view: strided, so the loop converts them.
      const t = tensor(values, { dtype: from }).reshape(5, 2).T;
      expect(t.isContiguous).toBe(false);
      const back = t.cast(to).T.contiguous();
      expect(Array.from(back.dataSync())).toEqual(want);
    });
  }

  it("bool and int32 masks → float32 (a relu mask), large enough for Wasm memory", async () => {
    await setBackend("cpu");
    const n = 5000;
    const x = tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i)));
    const mask = x.gt(0);
    const f = mask.cast("float32");
    const want = Array.from(x.dataSync(), (v) => (v > 0 ? 1 : 0));
    expect(Array.from(f.dataSync())).toEqual(want);
    expect(Array.from(mask.int().cast("float32").dataSync())).toEqual(want);
    // A dense slice that starts inside its buffer.
    expect(Array.from(mask.slice([100, 200]).cast("float32").dataSync())).toEqual(want.slice(100, 200));
  });
});
