import { describe, expect, it } from "vitest";
import { arange, eye, full, linspace, manualSeed, ones, rand, randint, randn, scalar, tensor, zeros, Tensor } from "../../../lib/index.js";
import { expectTensor } from "../../helpers/assert.js";

describe("tensor()", () => {
  it("reads numbers, nested arrays and booleans with the right shape and dtype", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.ndim).toBe(2);
    expect(t.size).toBe(6);
    expect(t.device).toBe("cpu");
    expectTensor(t, [[1, 2, 3], [4, 5, 6]]);
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor(3.5).itemSync()).toBe(3.5);
    expect(tensor([true, false]).dtype).toBe("bool");
    expect(tensor([true, false]).arraySync()).toEqual([true, false]);
    expect(tensor([]).shape).toEqual([0]);
  });

  it("takes typed arrays and keeps their element type", () => {
    expect(tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(tensor(new Float64Array([1.5])).dtype).toBe("float64");
    expect(tensor(new Float32Array([1, 2, 3])).shape).toEqual([3]);
    expect(tensor(new Uint8Array([200, 3])).arraySync()).toEqual([200, 3]);
  });

  it("copies its input, so later changes to the array do not leak in", () => {
    const src = new Float32Array([1, 2]);
    const t = tensor(src);
    src[0] = 99;
    expect(t.arraySync()).toEqual([1, 2]);
  });

  it("rejects ragged arrays, non-numbers and values int32 cannot hold", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged nested array: \[1\] has length 1 but \[0\] has 2/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/ragged/);
    expect(() => tensor([1, "a"] as never)).toThrow(/\[1\] is string a/);
    expect(() => tensor([1.5], { dtype: "int32" })).toThrow(/element 0 is 1.5, which int32 cannot hold/);
    expect(() => tensor([NaN], { dtype: "int32" })).toThrow(/int32 cannot hold/);
    expect(() => tensor([1], { dtype: "float16" as never })).toThrow(/unknown dtype "float16"/);
    expect(() => tensor([1, 2], { dtype: "int32", requiresGrad: true })).toThrow(/only float tensors can require gradients/);
  });

  // V8 alone says "Invalid typed array length: 1000000000000".
  it("says how much memory a shape too large to allocate asked for", () => {
    expect(() => zeros([1e6, 1e6])).toThrow(/^cannot allocate 1,000,000,000,000 float32 values \(4000 GB\): Invalid typed array length.*smaller shape/);
    expect(() => zeros([2 ** 33], { dtype: "int32" })).toThrow(/^cannot allocate 8,589,934,592 int32 values \(34.4 GB\)/);
  });

  it("keeps NaN and Infinity in float tensors, where they are legitimate values", () => {
    const t = tensor([NaN, Infinity, -Infinity]);
    const v = t.arraySync() as number[];
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v.slice(1)).toEqual([Infinity, -Infinity]);
  });
});

describe("creation functions", () => {
  it("zeros, ones, full, eye", () => {
    expectTensor(zeros([2, 2]), [[0, 0], [0, 0]]);
    expectTensor(ones(3), [1, 1, 1]);
    expectTensor(full([2], 7), [7, 7]);
    expect(full([1], true).dtype).toBe("bool");
    expectTensor(eye(3), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expectTensor(eye(2, 3), [[1, 0, 0], [0, 1, 0]]);
    expect(scalar(2).shape).toEqual([]);
  });

  it("rejects bad shapes with the offending size named", () => {
    expect(() => zeros([2, -1])).toThrow(/shape \[2,-1\] must hold non-negative whole numbers, got -1/);
    expect(() => zeros([2, NaN])).toThrow(/got NaN/);
    expect(() => ones([1.5])).toThrow(/got 1.5/);
  });

  it("arange follows NumPy: stop excluded, int32 for whole numbers", () => {
    expectTensor(arange(5), [0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe("int32");
    expectTensor(arange(2, 5), [2, 3, 4]);
    expectTensor(arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
    expect(arange(0, 1, 0.25).dtype).toBe("float32");
    expectTensor(arange(5, 0, -2), [5, 3, 1]);
    expect(() => arange(0, 1, 0)).toThrow(/step must not be 0/);
    expect(() => arange(0, Infinity)).toThrow(/stop must be a finite number/);
  });

  it("linspace includes both ends", () => {
    expectTensor(linspace(-1, 1, 5), [-1, -0.5, 0, 0.5, 1]);
    expectTensor(linspace(3, 3, 1), [3]);
    expect(() => linspace(0, 1, -1)).toThrow(/whole number/);
  });

  it("manualSeed makes random draws repeatable", () => {
    manualSeed(42);
    const a = randn([5]).arraySync();
    const u = rand([3]).arraySync();
    manualSeed(42);
    expect(randn([5]).arraySync()).toEqual(a);
    expect(rand([3]).arraySync()).toEqual(u);
    manualSeed(43);
    expect(randn([5]).arraySync()).not.toEqual(a);
  });

  it("randn has mean 0 and standard deviation 1; rand is uniform on [0,1)", () => {
    manualSeed(1);
    const n = randn([100_000]).dataSync();
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const sd = Math.sqrt(n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
    const u = rand([100_000]).dataSync();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / u.length - 0.5)).toBeLessThan(0.01);
    const r = randint(0, 3, [1000]).dataSync();
    expect(new Set(r)).toEqual(new Set([0, 1, 2]));
  });

  it("a Tensor passed to tensor() is copied out of the graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = tensor(x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y).toBeInstanceOf(Tensor);
    expectTensor(y, [2, 4]);
  });
});
