import { describe, expect, it } from "vitest";
import { arange, concat, stack, tensor, zeros } from "../../../lib/index.js";
import { expectTensorAsync } from "../../helpers/assert.js";
import { backends, onBackend } from "../../helpers/backends.js";

describe.each(backends)("views and movement on %s", (backend) => {
  onBackend(backend);

  it("reshape [3,2] → [6,1] → [2,3] keeps element order", async () => {
    const a = tensor([[1, 2], [3, 4], [5, 6]]);
    const b = a.reshape(6, 1);
    await expectTensorAsync(b, [[1], [2], [3], [4], [5], [6]]);
    await expectTensorAsync(b.reshape([2, 3]), [[1, 2, 3], [4, 5, 6]]);
    expect(a.reshape(-1, 3).shape).toEqual([2, 3]);
    expect(a.flatten().shape).toEqual([6]);
  });

  it("reshape, transpose, expand and slice share memory instead of copying", async () => {
    const a = arange(6).reshape(2, 3);
    expect(a.reshape(3, 2).storage).toBe(a.storage);
    expect(a.T.storage).toBe(a.storage);
    expect(a.slice(null, [1, 3]).storage).toBe(a.storage);
    const row = tensor([1, 2]);
    expect(row.expand(4, 2).storage).toBe(row.storage);
    // A transposed view cannot be flattened in place: that one copies.
    expect(a.T.reshape(6).storage).not.toBe(a.storage);
    expect(await a.T.reshape(6).array()).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it("reshape errors name both shapes", async () => {
    expect(() => arange(6).reshape(4, 2)).toThrow(/reshape: cannot reshape \[6\] \(6 elements\) into \[4,2\] \(8 elements\)/);
    expect(() => arange(6).reshape(-1, -1)).toThrow(/only one -1/);
    expect(() => arange(7).reshape(-1, 2)).toThrow(/cannot reshape \[7\]/);
  });

  it("transpose 300×20 → 20×300 and permutations", async () => {
    expect(zeros([300, 20]).T.shape).toEqual([20, 300]);
    const t = arange(24).reshape(2, 3, 4);
    expect(t.transpose().shape).toEqual([4, 3, 2]);
    expect(t.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(t.permute(1, 0, 2).shape).toEqual([3, 2, 4]);
    expect(await t.permute(1, 0, 2).slice(2, 1).array()).toEqual([20, 21, 22, 23]);
    expect(() => t.permute(0, 0, 1)).toThrow(/not a permutation/);
    // Two axes of a 2-d tensor read as a permutation; a bad one still names transpose.
    expect(() => zeros([2, 3]).transpose(0, 5)).toThrow(/^transpose: axis 5 is out of range for a 2-d tensor/);
    expect(() => t.transpose(0, 1, 7)).toThrow(/^transpose: axis 7/);
  });

  it("slice: indices, ranges, steps and negative positions", async () => {
    const a = arange(12).reshape(3, 4);
    expect(await a.slice(1).array()).toEqual([4, 5, 6, 7]);
    expect(await a.at(-1).array()).toEqual([8, 9, 10, 11]);
    expect(await a.slice(null, 2).array()).toEqual([2, 6, 10]);
    expect(await a.slice([0, 2], [1, 3]).array()).toEqual([[1, 2], [5, 6]]);
    expect(await a.slice(null, [0, undefined, 2]).array()).toEqual([[0, 2], [4, 6], [8, 10]]);
    expect(a.slice([-2]).shape).toEqual([2, 4]);
    expect(await a.slice(1, 2).item()).toBe(6);
    expect(() => a.slice(3)).toThrow(/slice: index 3 is out of range for axis 0 of size 3/);
    expect(() => a.slice(0, 0, 0)).toThrow(/3 specs given for a 2-d tensor/);
  });

  it("expand, squeeze, unsqueeze", async () => {
    await expectTensorAsync(tensor([[1], [2]]).expand(2, 3), [[1, 1, 1], [2, 2, 2]]);
    expect(zeros([1, 3, 1]).squeeze().shape).toEqual([3]);
    expect(zeros([1, 3, 1]).squeeze(0).shape).toEqual([3, 1]);
    expect(zeros([3]).unsqueeze(0).shape).toEqual([1, 3]);
    expect(zeros([3]).unsqueeze(-1).shape).toEqual([3, 1]);
    expect(() => zeros([2, 3]).expand(3, 3)).toThrow(/expand: cannot expand \[2,3\] to \[3,3\]/);
    expect(() => zeros([2, 3]).squeeze(0)).toThrow(/has size 2, not 1/);
  });

  it("concat and stack", async () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4], [5, 6]]);
    await expectTensorAsync(concat([a, b]), [[1, 2], [3, 4], [5, 6]]);
    await expectTensorAsync(concat([b, b], 1), [[3, 4, 3, 4], [5, 6, 5, 6]]);
    await expectTensorAsync(stack([tensor([1, 2]), tensor([3, 4])]), [[1, 2], [3, 4]]);
    await expectTensorAsync(stack([tensor([1, 2]), tensor([3, 4])], 1), [[1, 3], [2, 4]]);
    expect(() => concat([a, zeros([1, 3])])).toThrow(/concat: tensor 1 has shape \[1,3\] but tensor 0 has \[1,2\]/);
    expect(() => stack([tensor([1]), tensor([1, 2])])).toThrow(/stack: tensor 1 has shape \[2\]/);
  });

  it("gather picks class scores by index", async () => {
    const scores = tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]);
    const labels = tensor([[1], [0]], { dtype: "int32" });
    await expectTensorAsync(scores.gather(1, labels), [[0.7], [0.5]]);
    expect(() => scores.gather(1, tensor([[3], [0]], { dtype: "int32" }))).toThrow(/gather: index 3 is out of range for axis 1 of size 3/);
    expect(() => scores.gather(1, tensor([[1], [0]]))).toThrow(/index must be int32, got float32/);
  });

  it("casts", async () => {
    expect(await tensor([1.7, -1.7, 0]).int().array()).toEqual([1, -1, 0]);
    expect(await tensor([2, 0]).bool().array()).toEqual([true, false]);
    expect(await tensor([true, false]).float().array()).toEqual([1, 0]);
  });
});
