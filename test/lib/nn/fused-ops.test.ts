import { describe, expect, it } from "vitest";
import { F, grad, gradcheck, manualSeed, randint, randn, tensor, type Tensor } from "../../../lib/index.js";
import { backends, onBackend } from "../../helpers/backends.js";

// Each fused op is checked against the composition of plain ops it replaces, on values and on
// gradients, and against finite differences (gradcheck, float64 on the CPU).

const ACTS = ["linear", "relu", "sigmoid", "tanh"] as const;
const plain: Record<(typeof ACTS)[number], (z: Tensor) => Tensor> = {
  linear: (z) => z,
  relu: (z) => z.relu(),
  sigmoid: (z) => z.sigmoid(),
  tanh: (z) => z.tanh(),
};

function composedLogSoftmax(x: Tensor, axis: number): Tensor {
  const shifted = x.sub(x.max(axis, true).detach());
  return shifted.sub(shifted.exp().sum(axis, true).log());
}

async function values(t: Tensor): Promise<number[]> {
  return [...((await t.data()) as Float32Array | Float64Array)];
}

async function expectClose(a: Tensor, b: Tensor, digits = 5): Promise<void> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = await Promise.all([values(a), values(b)]);
  x.forEach((v, i) => expect(v).toBeCloseTo(y[i]!, digits));
}

describe.each(backends)("fused ops agree with the ops they replace (%s)", (name) => {
  onBackend(name);

  it.each(ACTS)("F.linear(x, W, b, %s): values and the gradients of x, W and b", async (act) => {
    manualSeed(1);
    for (const shape of [[5, 4], [2, 3, 4], [4]]) {
      const x = randn(shape);
      const W = randn([4, 3]);
      const b = randn([3]);
      for (const t of [x, W, b]) t.requiresGrad = true;
      const fused = F.linear(x, W, b, act);
      const composed = plain[act](x.matmul(W).add(b));
      await expectClose(fused, composed);
      const weights = randn(fused.shape);
      const gf = grad((x: Tensor, W: Tensor, b: Tensor) => F.linear(x, W, b, act).mul(weights).sum(), { argnums: [0, 1, 2] })(x, W, b);
      const gc = grad((x: Tensor, W: Tensor, b: Tensor) => plain[act](x.matmul(W).add(b)).mul(weights).sum(), { argnums: [0, 1, 2] })(x, W, b);
      for (let k = 0; k < 3; k++) await expectClose(gf[k]!, gc[k]!, 4);
    }
  });

  it("F.linear without a bias, and nn-style shape errors", async () => {
    const x = randn([3, 4]);
    const W = randn([4, 2]);
    await expectClose(F.linear(x, W, null), x.matmul(W));
    expect(() => F.linear(randn([3, 5]), W)).toThrow(/input \[3,5\] must end in 4 features to match weight \[4,2\]/);
    expect(() => F.linear(x, W, randn([3]))).toThrow(/bias must be \[2\]/);
  });

  it("softmax and logSoftmax along either axis, with their gradients", async () => {
    const x = randn([4, 6]);
    x.requiresGrad = true;
    for (const axis of [0, 1, -1]) {
      await expectClose(x.logSoftmax(axis), composedLogSoftmax(x, axis));
      await expectClose(x.softmax(axis), composedLogSoftmax(x, axis).exp());
      const w = randn([4, 6]);
      await expectClose(grad((t: Tensor) => t.softmax(axis).mul(w).sum())(x), grad((t: Tensor) => composedLogSoftmax(t, axis).exp().mul(w).sum())(x), 4);
      await expectClose(grad((t: Tensor) => t.logSoftmax(axis).mul(w).sum())(x), grad((t: Tensor) => composedLogSoftmax(t, axis).mul(w).sum())(x), 4);
    }
  });

  it("crossEntropy with class indices and with one-hot rows, with the gradient of the logits", async () => {
    const logits = randn([8, 5]);
    logits.requiresGrad = true;
    const labels = randint(0, 5, [8]);
    const composed = (z: Tensor) => composedLogSoftmax(z, 1).gather(1, labels.reshape(8, 1)).mean().neg();
    await expectClose(F.crossEntropy(logits, labels), composed(logits));
    await expectClose(grad((z: Tensor) => F.crossEntropy(z, labels))(logits), grad(composed)(logits));
    const soft = randn([8, 5]).softmax(1);
    const composedSoft = (z: Tensor) => soft.mul(composedLogSoftmax(z, 1)).sum(1).mean().neg();
    await expectClose(F.crossEntropy(logits, soft), composedSoft(logits));
    await expectClose(grad((z: Tensor) => F.crossEntropy(z, soft))(logits), grad(composedSoft)(logits));
  });
});

describe("fused ops against finite differences, and their second derivatives (cpu, float64)", () => {
  const f64 = (t: Tensor) => t.cast("float64");

  it("F.linear with each activation", () => {
    manualSeed(2);
    for (const act of ACTS) {
      // Away from relu's kink at 0, where finite differences straddle it.
      const x = f64(randn([3, 4])).add(0.05);
      expect(gradcheck((x, W, b) => F.linear(x, W, b, act).sum(), [x, f64(randn([4, 2])), f64(randn([2]))])).toBe(true);
    }
  });

  it("softmax, logSoftmax and crossEntropy", () => {
    const x = f64(randn([3, 4]));
    const w = f64(randn([3, 4]));
    expect(gradcheck((x) => x.softmax(1).mul(w).sum(), [x])).toBe(true);
    expect(gradcheck((x) => x.logSoftmax(0).mul(w).sum(), [x])).toBe(true);
    expect(gradcheck((x) => F.crossEntropy(x, tensor([0, 3, 1], { dtype: "int32" })), [x])).toBe(true);
    const soft = f64(randn([3, 4])).softmax(1);
    expect(gradcheck((x) => F.crossEntropy(x, soft), [x])).toBe(true);
  });

  it("gradients of gradients go through the fused rules", () => {
    const x = f64(randn([2, 3]));
    const w = f64(randn([2, 3]));
    const hvp = (z: Tensor) => grad((t: Tensor) => grad((u: Tensor) => u.softmax(1).mul(w).sum())(t).mul(w).sum())(z);
    const composed = (z: Tensor) => grad((t: Tensor) => grad((u: Tensor) => composedLogSoftmax(u, 1).exp().mul(w).sum())(t).mul(w).sum())(z);
    const a = hvp(x).dataSync();
    const b = composed(x).dataSync();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 10));
    const W = f64(randn([3, 2]));
    expect(gradcheck((x) => grad((u: Tensor) => F.linear(u, W, null, "tanh").sum())(x).sum(), [x])).toBe(true);
    // crossEntropy's first-order rule reuses the forward's log-probabilities (constants of the
    // graph); a differentiable gradient must come from the logits instead.
    const labels = tensor([2, 0], { dtype: "int32" });
    expect(gradcheck((x) => grad((u: Tensor) => F.crossEntropy(u, labels))(x).mul(w).sum(), [x])).toBe(true);
  });
});
