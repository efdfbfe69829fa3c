import { describe, expect, it } from "vitest";
import { F, grad, tensor, Tensor } from "../../../lib/index.js";

describe("losses match their formulas", () => {
  it("mse", () => {
    expect(F.mse(tensor([1, 2, 3]), tensor([1, 0, 6])).itemSync()).toBeCloseTo((0 + 4 + 9) / 3, 6);
  });

  it("bce on probabilities, clamped so 0 and 1 never give log(0)", () => {
    const p = [0.9, 0.2, 0.6];
    const t = [1, 0, 0];
    const want = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3;
    expect(F.bce(tensor(p), tensor(t)).itemSync()).toBeCloseTo(want, 6);
    const extreme = F.bce(tensor([0, 1]), tensor([1, 0])).itemSync() as number;
    expect(Number.isFinite(extreme)).toBe(true);
    // float32 rounds 1 − 1e−7 to 1 − 1.19e−7, so the two clamped terms give ≈ 16.0 on average.
    expect(extreme).toBeGreaterThan(15.5);
    expect(extreme).toBeLessThan(16.2);
  });

  it("bceWithLogits equals bce(sigmoid(z)) and stays finite at |z| = 100", () => {
    const z = [2, -1, 0.5];
    const t = [1, 0, 1];
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const want = -z.reduce((a, v, i) => a + (t[i]! * Math.log(s(v)) + (1 - t[i]!) * Math.log(1 - s(v))), 0) / 3;
    expect(F.bceWithLogits(tensor(z), tensor(t)).itemSync()).toBeCloseTo(want, 6);
    expect(F.bceWithLogits(tensor([100, -100]), tensor([0, 1])).itemSync()).toBeCloseTo(100, 4);
    const g = grad((x: Tensor) => F.bceWithLogits(x, tensor([1])))(tensor([0]));
    expect(g.itemSync()).toBeCloseTo(-0.5, 6); // (σ(0) − 1)/1
  });

  it("crossEntropy with class indices and with one-hot rows", () => {
    const logits = [[2, 1, 0.1], [0.5, 2.5, 0.3]];
    const lse = (r: number[]) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0));
    const want = (lse(logits[0]!) - 2 + (lse(logits[1]!) - 2.5)) / 2;
    expect(F.crossEntropy(tensor(logits), tensor([0, 1], { dtype: "int32" })).itemSync()).toBeCloseTo(want, 5);
    expect(F.crossEntropy(tensor(logits), tensor([[1, 0, 0], [0, 1, 0]])).itemSync()).toBeCloseTo(want, 5);
  });

  it("crossEntropy's gradient is (softmax − onehot)/n", () => {
    const g = grad((z: Tensor) => F.crossEntropy(z, tensor([2], { dtype: "int32" })))(tensor([[1, 2, 3]]));
    const e = [1, 2, 3].map(Math.exp);
    const sum = e.reduce((a, b) => a + b);
    const want = [e[0]! / sum, e[1]! / sum, e[2]! / sum - 1];
    (g.arraySync() as number[][])[0]!.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });

  it("l1 and l2 penalties sum over all tensors", () => {
    expect(F.l1([tensor([1, -2]), tensor([[3]])]).itemSync()).toBe(6);
    expect(F.l2([tensor([1, -2]), tensor([[3]])]).itemSync()).toBe(14);
  });
});

describe("loss errors say what is wrong", () => {
  it("shape mismatches between predictions and targets", () => {
    expect(() => F.mse(tensor([[1], [2]]), tensor([1, 2]))).toThrow(/mse: prediction \[2,1\] and target \[2\] must have the same shape.*target\.reshape\(-1, 1\)/);
  });
  it("bce on values outside [0, 1]", () => {
    expect(() => F.bce(tensor([1.5]), tensor([1]))).toThrow(/bce: predictions must be probabilities in \[0, 1\], but element 0 is 1.5; apply sigmoid first, or use bceWithLogits/);
    expect(() => F.bce(tensor([0.5]), tensor([2]))).toThrow(/targets must be in \[0, 1\]/);
  });
  it("crossEntropy label dtype and range", () => {
    const z = tensor([[1, 2, 3]]);
    expect(() => F.crossEntropy(z, tensor([1]))).toThrow(/labels \[1\] are float32; class indices must be int32 \(call labels.int\(\)\)/);
    expect(() => F.crossEntropy(z, tensor([3], { dtype: "int32" }))).toThrow(/label 3 \(row 0\) is not a class index in 0..2/);
    expect(() => F.crossEntropy(tensor([[0.3]]), tensor([1], { dtype: "int32" }))).toThrow(/a 1-output model needs bceWithLogits/);
    expect(() => F.crossEntropy(tensor([1, 2]), tensor([1], { dtype: "int32" }))).toThrow(/logits must be \[batch, classes\], got \[2\]/);
  });
});
