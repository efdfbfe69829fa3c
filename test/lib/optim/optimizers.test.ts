import { describe, expect, it } from "vitest";
import { optim, tensor, Tensor } from "../../../lib/index.js";

/** Runs `steps` steps minimising f(w) = w² (gradient 2w) from w0 and returns w after each. */
function trajectory(make: (p: Tensor[]) => optim.Optimizer, w0 = 1, steps = 3): number[] {
  const w = tensor(w0, { dtype: "float64", requiresGrad: true });
  const opt = make([w]);
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    w.square().backward();
    opt.step();
    out.push(w.itemSync() as number);
  }
  return out;
}

function close(a: number[], b: number[]): void {
  expect(a).toHaveLength(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 10));
}

describe("optimizers' first steps match hand computation on f(w) = w², w₀ = 1", () => {
  it("SGD: w ← w − lr·2w", () => {
    close(trajectory((p) => new optim.SGD(p, { lr: 0.1 })), [0.8, 0.64, 0.512]);
  });

  it("SGD with momentum 0.9 (PyTorch: v₁ = g₁, v ← 0.9v + g)", () => {
    // g1 = 2 → v = 2 → w = 0.8; g2 = 1.6 → v = 3.4 → w = 0.46; g3 = 0.92 → v = 3.98 → w = 0.062
    close(trajectory((p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 })), [0.8, 0.46, 0.062]);
  });

  it("SGD with Nesterov momentum (step uses g + μv)", () => {
    // g1 = 2, v = 2, step = 2 + 1.8 = 3.8 → w = 0.62; g2 = 1.24, v = 3.04, step = 1.24 + 2.736 = 3.976 → w = 0.2224
    close(trajectory((p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }), 1, 2), [0.62, 0.2224]);
  });

  it("SGD weight decay adds λw to the gradient", () => {
    close(trajectory((p) => new optim.SGD(p, { lr: 0.1, weightDecay: 0.5 }), 1, 1), [1 - 0.1 * 2.5]);
  });

  it("RMSProp: s = 0.01·g² at the first step, w ← w − lr·g/(√s + ε)", () => {
    // g = 2, s = 0.04, √s = 0.2: the first step is lr·g/√s = 0.1 (ε aside).
    const w1 = 1 - 0.01 * (2 / (0.2 + 1e-8));
    const g2 = 2 * w1;
    const s2 = 0.99 * 0.04 + 0.01 * g2 ** 2;
    close(trajectory((p) => new optim.RMSProp(p, { lr: 0.01 }), 1, 2), [w1, w1 - 0.01 * (g2 / (Math.sqrt(s2) + 1e-8))]);
  });

  it("Adam's bias correction makes the first step exactly lr", () => {
    const [w1, w2] = trajectory((p) => new optim.Adam(p, { lr: 0.1 }), 1, 2);
    expect(w1).toBeCloseTo(0.9, 6);
    // second step by hand
    const g1 = 2, g2 = 2 * w1!;
    const m = 0.9 * 0.1 * g1 + 0.1 * g2, v = 0.999 * 0.001 * g1 ** 2 + 0.001 * g2 ** 2;
    const mh = m / (1 - 0.81), vh = v / (1 - 0.999 ** 2);
    expect(w2).toBeCloseTo(w1! - (0.1 * mh) / (Math.sqrt(vh) + 1e-8), 10);
  });

  it("zeroGrad clears gradients; step skips parameters without one", () => {
    const a = tensor(1, { requiresGrad: true });
    const b = tensor(5, { requiresGrad: true });
    const opt = new optim.SGD([a, b], { lr: 0.5 });
    a.square().backward();
    opt.step();
    expect(a.itemSync()).toBe(0);
    expect(b.itemSync()).toBe(5);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it("bad settings are rejected with the value named", () => {
    const p = [tensor(1, { requiresGrad: true })];
    expect(() => new optim.SGD(p, { lr: -1 })).toThrow(/SGD: lr must be a number > 0, got -1/);
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow(/no parameters to optimize/);
    expect(() => new optim.SGD([tensor(1)], { lr: 0.1 })).toThrow(/does not require gradients/);
    expect(() => new optim.Adam(p, { betas: [1, 0.9] })).toThrow(/betas\[0\] must be a number ≥ 0 and < 1/);
    expect(() => new optim.SGD(p, { lr: 0.1, nesterov: true })).toThrow(/nesterov needs a momentum > 0/);
  });
});

describe("learning-rate schedules", () => {
  const opt = () => new optim.SGD([tensor(1, { requiresGrad: true })], { lr: 0.1 });

  it("step decay", () => {
    const s = new optim.StepDecay(opt(), { stepSize: 2, gamma: 0.5 });
    expect([0, 1, 2, 3, 4].map((e) => s.lrAt(e))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });

  it("exponential decay", () => {
    const s = new optim.ExponentialDecay(opt(), { gamma: 0.9 });
    expect(s.lrAt(2)).toBeCloseTo(0.081, 12);
  });

  it("1/(1 + k·t) decay", () => {
    const s = new optim.InverseTimeDecay(opt(), { k: 1 });
    expect([0, 1, 3].map((e) => s.lrAt(e))).toEqual([0.1, 0.05, 0.025]);
  });

  it("cosine decay from lr₀ to lrMin", () => {
    const s = new optim.CosineDecay(opt(), { tMax: 10, lrMin: 0.01 });
    expect(s.lrAt(0)).toBeCloseTo(0.1, 12);
    expect(s.lrAt(5)).toBeCloseTo(0.055, 12);
    expect(s.lrAt(10)).toBeCloseTo(0.01, 12);
    expect(s.lrAt(20)).toBeCloseTo(0.01, 12);
  });

  it("step() writes the optimizer's lr", () => {
    const o = opt();
    const s = new optim.StepDecay(o, { stepSize: 1, gamma: 0.1 });
    s.step();
    expect(o.lr).toBeCloseTo(0.01, 12);
    s.step();
    expect(o.lr).toBeCloseTo(0.001, 12);
  });
});
