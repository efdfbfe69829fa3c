import { describe, expect, it } from "vitest";
import { arange, tensor, where, zeros, ones } from "../../../lib/index.js";
import { expectTensorAsync } from "../../helpers/assert.js";
import { backends, onBackend, stored, tolFor, wideFloat } from "../../helpers/backends.js";

const xs = [-100, -10, -1, -0.5, 0, 0.5, 1, 10, 100];

describe.each(backends)("elementwise ops on %s", (backend) => {
  onBackend(backend);

  describe("unary ops match their formulas", () => {
    const cases: [string, (t: ReturnType<typeof tensor>) => ReturnType<typeof tensor>, (x: number) => number][] = [
      ["neg", (t) => t.neg(), (x) => -x],
      ["exp", (t) => t.exp(), Math.exp],
      ["abs", (t) => t.abs(), Math.abs],
      ["sin", (t) => t.sin(), Math.sin],
      ["cos", (t) => t.cos(), Math.cos],
      ["tanh", (t) => t.tanh(), Math.tanh],
      ["sigmoid", (t) => t.sigmoid(), (x) => 1 / (1 + Math.exp(-x))],
      ["relu", (t) => t.relu(), (x) => Math.max(x, 0)],
      ["square", (t) => t.square(), (x) => x * x],
      ["sign", (t) => t.sign(), Math.sign],
    ];
    for (const [name, op, f] of cases) {
      it(name, async () => {
        const dtype = wideFloat(backend);
        const out = op(tensor(xs, { dtype }));
        const want = stored(dtype, xs.map(f).map((v) => (Object.is(v, -0) ? 0 : v)));
        await expectTensorAsync(out, want, tolFor(backend, 1e-12, 2e-6));
      });
    }

    it("log, sqrt, log1p, reciprocal on positive inputs", async () => {
      const p = [0.5, 1, 2, 100];
      await expectTensorAsync(tensor(p).log(), p.map(Math.log));
      await expectTensorAsync(tensor(p).sqrt(), p.map(Math.sqrt));
      await expectTensorAsync(tensor(p).log1p(), p.map(Math.log1p));
      await expectTensorAsync(tensor(p).reciprocal(), p.map((v) => 1 / v));
    });

    it("sigmoid stays finite and exact at the extremes where 1/(1+e^-x) would overflow", async () => {
      const out = (await tensor([-1000, -100, 100, 1000]).sigmoid().array()) as number[];
      expect(out[0]).toBe(0);
      if (backend === "cpu") expect(out[1]).toBeGreaterThan(0);
      // σ(-100) ≈ 3.7e-44 is a float32 denormal, which GPUs flush to zero.
      else expect(out[1]).toBeGreaterThanOrEqual(0);
      expect(out[1]).toBeLessThan(1e-40);
      expect(out[2]).toBe(1);
      expect(out[3]).toBe(1);
    });

    it("relu maps -Infinity to 0 and keeps NaN", async () => {
      const out = (await tensor([-Infinity, NaN, Infinity]).relu().array()) as number[];
      expect(out[0]).toBe(0);
      expect(Number.isNaN(out[1])).toBe(true);
      expect(out[2]).toBe(Infinity);
    });

    it("math on int tensors gives float32", () => {
      expect(arange(3).exp().dtype).toBe("float32");
      expect(arange(3).neg().dtype).toBe("int32");
    });
  });

  describe("binary ops and NumPy broadcasting", () => {
    it("the Hadamard product of the lessons", async () => {
      await expectTensorAsync(tensor([[6, 18], [4, 23]]).mul(tensor([[2, 1], [1, 2]])), [[12, 18], [4, 46]]);
    });

    it("add/sub/mul/div/pow values", async () => {
      const a = tensor([1, 2, 3]);
      const b = tensor([4, 5, 6]);
      await expectTensorAsync(a.add(b), [5, 7, 9]);
      await expectTensorAsync(a.sub(b), [-3, -3, -3]);
      await expectTensorAsync(a.mul(b), [4, 10, 18]);
      await expectTensorAsync(a.div(b), [0.25, 0.4, 0.5]);
      await expectTensorAsync(a.pow(2), [1, 4, 9]);
      await expectTensorAsync(a.mul(2), [2, 4, 6]);
      await expectTensorAsync(tensor([1, 5]).maximum(tensor([3, 2])), [3, 5]);
      await expectTensorAsync(tensor([1, 5]).minimum(3), [1, 3]);
      await expectTensorAsync(tensor([-2, 0.5, 3]).clamp(0, 1), [0, 0.5, 1]);
    });

    const table: [number[], number[], number[]][] = [
      [[32, 10], [10], [32, 10]],
      [[2, 3], [1, 3], [2, 3]],
      [[2, 1], [1, 3], [2, 3]],
      [[4, 1, 5], [3, 1], [4, 3, 5]],
      [[], [2, 2], [2, 2]],
      [[1], [5], [5]],
      [[0, 3], [3], [0, 3]],
    ];
    for (const [sa, sb, so] of table) {
      it(`[${sa}] + [${sb}] → [${so}]`, () => {
        const a = arange(sa.reduce((p, d) => p * d, 1)).reshape(sa).float();
        const b = ones(sb);
        const out = a.add(b);
        expect(out.shape).toEqual(so);
        expect(b.add(a).shape).toEqual(so);
      });
    }

    it("[32,10] + [10] adds the vector to every row", async () => {
      const m = zeros([32, 10]);
      const v = arange(10).float();
      const out = (await m.add(v).array()) as number[][];
      expect(out).toHaveLength(32);
      for (const row of out) expect(row).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it("names both shapes and the op when shapes cannot broadcast", () => {
      expect(() => zeros([2, 3]).add(zeros([2, 2]))).toThrow(/add: cannot broadcast \[2,3\] with \[2,2\]/);
      expect(() => zeros([3]).mul(zeros([4]))).toThrow(/mul: cannot broadcast \[3\] with \[4\]/);
    });

    it("promotes dtypes like PyTorch; plain numbers are weak", async () => {
      expect(arange(3).add(1).dtype).toBe("int32");
      expect(arange(3).add(0.5).dtype).toBe("float32");
      expect(arange(3).div(2).dtype).toBe("float32");
      await expectTensorAsync(arange(3).div(2), [0, 0.5, 1]);
      if (backend === "cpu") expect(tensor([1], { dtype: "float64" }).add(tensor([1])).dtype).toBe("float64");
      else expect(() => tensor([1], { dtype: "float64" })).toThrow(/float64 exists on the CPU backend only/);
      expect(tensor([1]).add(2.5).dtype).toBe("float32");
      expect(tensor([true]).add(tensor([true])).dtype).toBe("int32");
    });

    it("rejects non-numeric operands with a hint", () => {
      expect(() => tensor([1]).add([1, 2] as never)).toThrow(/add: expected a Tensor or a number, got an array \(wrap it with tensor/);
    });
  });

  describe("comparisons and where", () => {
    it("return bool tensors", async () => {
      const a = tensor([1, 2, 3]);
      expect(await a.gt(2).array()).toEqual([false, false, true]);
      expect(await a.lt(2).array()).toEqual([true, false, false]);
      expect(await a.eq(tensor([1, 0, 3])).array()).toEqual([true, false, true]);
      expect(a.ge(2).dtype).toBe("bool");
      expect(await a.ne(2).logicalNot().array()).toEqual([false, true, false]);
    });

    it("where picks elementwise with broadcasting", async () => {
      const c = tensor([[true], [false]]);
      await expectTensorAsync(where(c, tensor([1, 2]), 0), [[1, 2], [0, 0]]);
      await expectTensorAsync(where(tensor([1, -1]).gt(0), 10, -10), [10, -10]);
    });
  });
});
