import { describe, expect, it } from "vitest";
import { arange, randn, manualSeed, tensor, zeros } from "../../../lib/index.js";
import { expectTensorAsync } from "../../helpers/assert.js";
import { backends, onBackend, tolFor, wideFloat } from "../../helpers/backends.js";

function naive(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

describe.each(backends)("matmul and dot on %s", (backend) => {
  onBackend(backend);

  it("2×3 · 3×2 = 2×2", async () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[7, 8], [9, 10], [11, 12]]);
    await expectTensorAsync(a.matmul(b), [[58, 64], [139, 154]]);
  });

  it("the dense layer worked example: W = [[1,.5],[.5,1]], b = [-2,.5] on (1,2) and (-1,2), then ReLU", async () => {
    const W = tensor([[1, 0.5], [0.5, 1]]);
    const b = tensor([-2, 0.5]);
    const X = tensor([[1, 2], [-1, 2]]);
    const Z = X.matmul(W).add(b);
    await expectTensorAsync(Z, [[0, 3], [-2, 2]]);
    await expectTensorAsync(Z.relu(), [[0, 3], [0, 2]]);
  });

  it("agrees with a naive triple loop on odd sizes and on transposed views", async () => {
    manualSeed(3);
    const dtype = wideFloat(backend);
    const tol = tolFor(backend, 1e-12, 1e-5);
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [17, 4, 9], [33, 31, 2], [70, 130, 65]] as const) {
      const a = randn([m, k], { dtype });
      const b = randn([k, n], { dtype });
      const want = naive((await a.array()) as number[][], (await b.array()) as number[][]);
      await expectTensorAsync(a.matmul(b), want, tol);
      await expectTensorAsync(a.T.contiguous().T.matmul(b), want, tol);
      await expectTensorAsync(a.matmul(b.T.contiguous().T), want, tol);
      await expectTensorAsync(a.matmul(b.T.contiguous().T.mul(1)), want, tol);
    }
  });

  it("batches and broadcasts leading axes", async () => {
    const a = arange(12).reshape(2, 2, 3).float();
    const b = arange(6).reshape(3, 2).float();
    const out = a.matmul(b);
    expect(out.shape).toEqual([2, 2, 2]);
    await expectTensorAsync(out.slice(1), naive([[6, 7, 8], [9, 10, 11]], [[0, 1], [2, 3], [4, 5]]));
    expect(zeros([4, 1, 2, 3]).matmul(zeros([5, 3, 6])).shape).toEqual([4, 5, 2, 6]);
  });

  it("1-d operands follow NumPy", async () => {
    const v = tensor([1, 2, 3]);
    const M = arange(6).reshape(3, 2).float();
    await expectTensorAsync(v.matmul(M), [16, 22]);
    await expectTensorAsync(M.T.matmul(v), [16, 22]);
    await expectTensorAsync(v.matmul(v), 14);
    await expectTensorAsync(v.dot(tensor([4, 5, 6])), 32);
  });

  it("names the shapes when inner dimensions differ", () => {
    expect(() => zeros([1, 3]).matmul(zeros([1, 3]))).toThrow("matmul: [1,3] @ [1,3]: inner dimensions 3 and 1 differ");
    expect(() => tensor([1, 2, 3]).dot(tensor([1, 2]))).toThrow(/dot: \[3\] · \[2\]: vectors of lengths 3 and 2 differ/);
    expect(() => zeros([2, 2, 3]).matmul(zeros([3, 3, 1]))).toThrow(/cannot broadcast \[2\] with \[3\]/);
  });
});
