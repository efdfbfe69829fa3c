import { describe, expect, it } from "vitest";
import { arange, tensor } from "../../../lib/index.js";
import { expectTensor } from "../../helpers/assert.js";

const m = () => tensor([[1, 5, 3], [4, 2, 6]]);

describe("reductions over any axis", () => {
  it("sum", () => {
    expectTensor(m().sum(), 21);
    expectTensor(m().sum(0), [5, 7, 9]);
    expectTensor(m().sum(1), [9, 12]);
    expectTensor(m().sum(-1, true), [[9], [12]]);
    expectTensor(m().sum([0, 1]), 21);
    expect(m().sum(1, true).shape).toEqual([2, 1]);
    expect(arange(24).reshape(2, 3, 4).sum([0, 2]).arraySync()).toEqual([60, 92, 124]);
  });

  it("mean, max, min, argmax, argmin", () => {
    expectTensor(m().mean(), 3.5);
    expectTensor(m().mean(0), [2.5, 3.5, 4.5]);
    expectTensor(m().max(), 6);
    expectTensor(m().max(1), [5, 6]);
    expectTensor(m().min(0), [1, 2, 3]);
    expect(m().argmax().itemSync()).toBe(5);
    expect(m().argmax(1).arraySync()).toEqual([1, 2]);
    expect(m().argmin(0).arraySync()).toEqual([0, 1, 0]);
    expect(m().argmax(1, true).shape).toEqual([2, 1]);
    expect(m().argmax(1).dtype).toBe("int32");
  });

  it("sums of bools and ints are int32; means are float", () => {
    expect(tensor([true, true, false]).sum().itemSync()).toBe(2);
    expect(tensor([true, true, false]).sum().dtype).toBe("int32");
    expect(arange(4).mean().itemSync()).toBe(1.5);
  });

  it("reductions of a transposed view read the right elements", () => {
    expectTensor(m().T.sum(1), [5, 7, 9]);
    expectTensor(m().T.max(0), [5, 6]);
  });

  it("long float32 sums do not drift", () => {
    expect(tensor(new Float32Array(1_000_000).fill(0.1)).sum().itemSync()).toBeCloseTo(100_000, 0);
  });

  it("out-of-range axes and empty axes are errors that say the valid range", () => {
    expect(() => m().sum(2)).toThrow(/sum: axis 2 is out of range for a 2-d tensor \(valid axes are -2\.\.1\)/);
    expect(() => m().max(-3)).toThrow(/axis -3 is out of range/);
    expect(() => tensor([]).max()).toThrow(/max: cannot take the max of an empty axis/);
    expect(() => m().sum([0, 0])).toThrow(/repeats an axis/);
  });
});
