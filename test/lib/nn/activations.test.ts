import { describe, expect, it } from "vitest";
import { F, grad, tensor, Tensor } from "../../../lib/index.js";

const points = [-100, -10, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 3, 10, 100];
const sig = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const A = 1.6732632423543772;
const S = 1.0507009873554805;

// [name, f, formula, derivative formula]
const table: [string, (x: Tensor) => Tensor, (x: number) => number, (x: number) => number][] = [
  ["sigmoid", F.sigmoid, sig, (x) => sig(x) * (1 - sig(x))],
  ["tanh", F.tanh, Math.tanh, (x) => 1 - Math.tanh(x) ** 2],
  ["relu", F.relu, (x) => Math.max(0, x), (x) => (x > 0 ? 1 : 0)],
  ["leakyRelu", (x) => F.leakyRelu(x, 0.1), (x) => (x > 0 ? x : 0.1 * x), (x) => (x > 0 ? 1 : 0.1)],
  ["elu", (x) => F.elu(x, 1.5), (x) => (x > 0 ? x : 1.5 * Math.expm1(x)), (x) => (x > 0 ? 1 : 1.5 * Math.exp(x))],
  ["selu", F.selu, (x) => S * (x > 0 ? x : A * Math.expm1(x)), (x) => S * (x > 0 ? 1 : A * Math.exp(x))],
  ["softplus", F.softplus, (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), sig],
  ["gaussian", F.gaussian, (x) => Math.exp(-x * x), (x) => -2 * x * Math.exp(-x * x)],
];

describe("activations and their autograd derivatives match the formulas, extremes included", () => {
  for (const [name, f, value, deriv] of table) {
    it(name, () => {
      const df = grad((x: Tensor) => f(x).sum());
      for (const p of points) {
        const x = tensor(p, { dtype: "float64" });
        const v = f(x).itemSync() as number;
        const d = df(x).itemSync() as number;
        expect(Number.isFinite(v), `${name}(${p}) finite`).toBe(true);
        expect(Number.isFinite(d), `${name}'(${p}) finite`).toBe(true);
        expect(Math.abs(v - value(p)), `${name}(${p}) = ${v}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(value(p))));
        expect(Math.abs(d - deriv(p)), `${name}'(${p}) = ${d}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(deriv(p))));
      }
    });
  }

  it("softplus has derivative ½ at exactly 0 and stays exact at ±100 in float32", () => {
    expect(grad((x: Tensor) => F.softplus(x))(0).itemSync()).toBeCloseTo(0.5, 7);
    const [big, tiny] = F.softplus(tensor([100, -100])).arraySync() as number[];
    expect(big).toBe(100);
    // e^-100 ≈ 3.7e-44 is a float32 subnormal: positive and tiny, not 0 and not NaN.
    expect(tiny).toBeGreaterThan(0);
    expect(tiny).toBeLessThan(1e-43);
  });

  it("relu's derivative at 0 is 0 (documented convention)", () => {
    expect(grad((x: Tensor) => F.relu(x))(0).itemSync()).toBe(0);
  });

  it("prelu learns its slope: d/dw prelu(x, w) = x for x < 0", () => {
    const w = tensor(0.25, { requiresGrad: true });
    F.prelu(tensor([-2, 3]), w).sum().backward();
    expect(w.grad!.itemSync()).toBe(-2);
  });

  it("softmax and logSoftmax are stable for huge logits", () => {
    const s = F.softmax(tensor([[1000, 1000, -1000]])).arraySync() as number[][];
    expect(s[0]![0]).toBeCloseTo(0.5, 6);
    expect(s[0]![2]).toBe(0);
    const ls = F.logSoftmax(tensor([[1000, 0]])).arraySync() as number[][];
    expect(ls[0]![0]).toBeCloseTo(0, 6);
    expect(ls[0]![1]).toBeCloseTo(-1000, 3);
    const rows = F.softmax(tensor([[1, 2, 3], [0, 0, 0]])).sum(1).arraySync() as number[];
    rows.forEach((r) => expect(r).toBeCloseTo(1, 6));
  });
});
