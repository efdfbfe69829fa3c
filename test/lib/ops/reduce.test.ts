import { describe, expect, it } from "vitest";
import { arange, tensor } from "../../../lib/index.js";
import { expectTensorAsync } from "../../helpers/assert.js";
import { backends, onBackend } from "../../helpers/backends.js";

const m = () => tensor([[1, 5, 3], [4, 2, 6]]);

describe.each(backends)("reductions over any axis on %s", (backend) => {
  onBackend(backend);

  it("sum", async () => {
    await expectTensorAsync(m().sum(), 21);
    await expectTensorAsync(m().sum(0), [5, 7, 9]);
    await expectTensorAsync(m().sum(1), [9, 12]);
    await expectTensorAsync(m().sum(-1, true), [[9], [12]]);
    await expectTensorAsync(m().sum([0, 1]), 21);
    expect(m().sum(1, true).shape).toEqual([2, 1]);
    expect(await arange(24).reshape(2, 3, 4).sum([0, 2]).array()).toEqual([60, 92, 124]);
  });

  it("mean, max, min, argmax, argmin", async () => {
    await expectTensorAsync(m().mean(), 3.5);
    await expectTensorAsync(m().mean(0), [2.5, 3.5, 4.5]);
    await expectTensorAsync(m().max(), 6);
    await expectTensorAsync(m().max(1), [5, 6]);
    await expectTensorAsync(m().min(0), [1, 2, 3]);
    expect(await m().argmax().item()).toBe(5);
    expect(await m().argmax(1).array()).toEqual([1, 2]);
    expect(await m().argmin(0).array()).toEqual([0, 1, 0]);
    expect(m().argmax(1, true).shape).toEqual([2, 1]);
    expect(m().argmax(1).dtype).toBe("int32");
  });

  it("sums of bools and ints are int32; means are float", async () => {
    expect(await tensor([true, true, false]).sum().item()).toBe(2);
    expect(tensor([true, true, false]).sum().dtype).toBe("int32");
    expect(await arange(4).mean().item()).toBe(1.5);
  });

  it("reductions of a transposed view read the right elements", async () => {
    await expectTensorAsync(m().T.sum(1), [5, 7, 9]);
    await expectTensorAsync(m().T.max(0), [5, 6]);
  });

  it("long float32 sums do not drift", async () => {
    expect(await tensor(new Float32Array(1_000_000).fill(0.1)).sum().item()).toBeCloseTo(100_000, 0);
  });

  it("out-of-range axes and empty axes are errors that say the valid range", () => {
    expect(() => m().sum(2)).toThrow(/sum: axis 2 is out of range for a 2-d tensor \(valid axes are -2\.\.1\)/);
    expect(() => m().max(-3)).toThrow(/axis -3 is out of range/);
    expect(() => tensor([]).max()).toThrow(/max: cannot take the max of an empty axis/);
    expect(() => m().sum([0, 0])).toThrow(/repeats an axis/);
  });
});
