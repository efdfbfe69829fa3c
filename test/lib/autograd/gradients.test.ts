import { describe, expect, it } from "vitest";
import { concat, gradcheck, manualSeed, noGrad, rand, randn, stack, tensor, where, Tensor } from "../../../lib/index.js";
import { expectTensorAsync } from "../../helpers/assert.js";
import { backends, onBackend, wideFloat } from "../../helpers/backends.js";

manualSeed(7);
const r = (...shape: number[]) => randn(shape, { dtype: "float64" });
const pos = (...shape: number[]) => rand(shape, { dtype: "float64" }).add(0.5);

// Every differentiable op, checked against central finite differences in float64.
// Constants the functions close over: drawn once, so every evaluation sees the same values.
const c423 = r(4, 2, 3), c32 = r(3, 2), c25 = r(2, 5), c23 = r(2, 3);

const ops: [string, (...xs: Tensor[]) => Tensor, () => Tensor[]][] = [
  ["add (broadcast)", (a, b) => a.add(b), () => [r(2, 3), r(3)]],
  ["sub (broadcast)", (a, b) => a.sub(b), () => [r(2, 1), r(1, 3)]],
  ["mul (broadcast)", (a, b) => a.mul(b), () => [r(4, 1, 2), r(3, 1)]],
  ["div", (a, b) => a.div(b), () => [r(3), pos(3)]],
  ["pow (both)", (a, b) => a.pow(b), () => [pos(3), r(3)]],
  ["pow (number)", (a) => a.pow(3), () => [r(4)]],
  ["maximum", (a, b) => a.maximum(b), () => [r(5), r(5)]],
  ["minimum", (a, b) => a.minimum(b), () => [r(5), r(5)]],
  ["clamp", (a) => a.clamp(-0.5, 0.5), () => [tensor([-1.2, -0.3, 0.1, 0.9], { dtype: "float64" })]],
  ["neg", (a) => a.neg(), () => [r(3)]],
  ["exp", (a) => a.exp(), () => [r(3)]],
  ["log", (a) => a.log(), () => [pos(3)]],
  ["log1p", (a) => a.log1p(), () => [pos(3)]],
  ["sqrt", (a) => a.sqrt(), () => [pos(3)]],
  ["square", (a) => a.square(), () => [r(3)]],
  ["abs", (a) => a.abs(), () => [tensor([-2, -0.5, 0.7], { dtype: "float64" })]],
  ["sin", (a) => a.sin(), () => [r(3)]],
  ["cos", (a) => a.cos(), () => [r(3)]],
  ["reciprocal", (a) => a.reciprocal(), () => [pos(3)]],
  ["sigmoid", (a) => a.sigmoid(), () => [r(3)]],
  ["tanh", (a) => a.tanh(), () => [r(3)]],
  ["relu", (a) => a.relu(), () => [tensor([-2, -0.5, 0.7, 3], { dtype: "float64" })]],
  ["softmax", (a) => a.softmax(), () => [r(2, 4)]],
  ["logSoftmax axis 0", (a) => a.logSoftmax(0), () => [r(3, 2)]],
  ["sum all", (a) => a.sum(), () => [r(2, 3)]],
  ["sum axis keepDims", (a) => a.sum(1, true), () => [r(2, 3)]],
  ["mean axes", (a) => a.mean([0, 2]), () => [r(2, 3, 2)]],
  ["max axis", (a) => a.max(1), () => [r(3, 4)]],
  ["min all", (a) => a.min(), () => [r(3, 4)]],
  ["matmul", (a, b) => a.matmul(b), () => [r(3, 4), r(4, 2)]],
  ["matmul batched broadcast", (a, b) => a.matmul(b), () => [r(2, 3, 4), r(4, 2)]],
  ["matmul vector", (a, b) => a.matmul(b), () => [r(4), r(4, 2)]],
  ["dot", (a, b) => a.dot(b), () => [r(4), r(4)]],
  ["reshape", (a) => a.reshape(3, 2).mul(tensor([[1, 2], [3, 4], [5, 6]], { dtype: "float64" })), () => [r(2, 3)]],
  ["transpose", (a) => a.T.matmul(a), () => [r(3, 2)]],
  ["permute", (a) => a.permute(2, 0, 1).mul(c423), () => [r(2, 3, 4)]],
  ["expand", (a) => a.expand(3, 2).mul(c32), () => [r(1, 2)]],
  ["slice", (a) => a.slice([1, 3], [0, undefined, 2]), () => [r(4, 5)]],
  ["index", (a) => a.at(1).mul(2), () => [r(3, 2)]],
  ["concat", (a, b) => concat([a, b], 1).mul(c25), () => [r(2, 2), r(2, 3)]],
  ["stack", (a, b) => stack([a, b]).mul(c23), () => [r(3), r(3)]],
  ["gather", (a) => a.gather(1, tensor([[2, 0], [1, 1]], { dtype: "int32" })), () => [r(2, 3)]],
  ["where", (a, b) => where(a.gt(0), a, b), () => [r(6), r(6)]],
  ["contiguous of a view", (a) => a.T.contiguous().mul(c32), () => [r(2, 3)]],
  ["composite MLP", (x, w1, w2) => x.matmul(w1).tanh().matmul(w2).sigmoid().mean(), () => [r(4, 3), r(3, 5), r(5, 1)]],
];

// gradcheck differentiates numerically in float64, which exists on the CPU only; WebGPU gradients
// are checked against the CPU's in test/lib/backend/gradient-parity.test.ts.
describe("gradcheck: every differentiable op", () => {
  for (const [name, f, inputs] of ops) {
    it(name, () => {
      expect(gradcheck(f, inputs(), { atol: 1e-6, rtol: 1e-4 })).toBe(true);
    });
  }
});

it("gradcheck: cast to float32 and back (float32 needs a coarser step)", () => {
  expect(gradcheck((a) => a.float().mul(2).cast("float64"), [r(3)], { eps: 1e-2, atol: 1e-4, rtol: 1e-4 })).toBe(true);
});

describe.each(backends)("autograd on %s", (backend) => {
  onBackend(backend);

  describe("broadcasting gradients reduce back to each input's shape", () => {
    const cases: [number[], number[]][] = [
      [[2, 3], [3]],
      [[2, 3], [1, 3]],
      [[2, 3], [2, 1]],
      [[4, 1, 5], [3, 1]],
      [[2, 2], []],
      [[32, 10], [10]],
    ];
    for (const [sa, sb] of cases) {
      it(`[${sa}] * [${sb}]`, async () => {
        const a = randn(sa, { requiresGrad: true });
        const b = randn(sb, { requiresGrad: true });
        a.mul(b).sum().backward();
        expect(a.grad!.shape).toEqual(sa);
        expect(b.grad!.shape).toEqual(sb);
        // d/db sum(a*b) is a, broadcast to the output and summed back over b's broadcast axes.
        const full = a.detach().expand(...a.mul(b).shape);
        const lead = full.ndim - sb.length;
        const axes = full.shape.map((_, i) => i).filter((i) => i < lead || (sb[i - lead] === 1 && full.shape[i] !== 1));
        const reduced = (axes.length ? full.sum(axes, true) : full).reshape(sb);
        await expectTensorAsync(b.grad!, await reduced.array(), 1e-4);
      });
    }
  });

  describe("higher-order gradients (the rules are differentiable)", () => {
    it("x³: first derivative 3x², second 6x", async () => {
      const x = tensor(2, { requiresGrad: true });
      const y = x.pow(3);
      y.backward(undefined, { createGraph: true });
      const g = x.grad!;
      expect(await g.item()).toBeCloseTo(12, 5);
      x.grad = null;
      g.backward();
      expect(await x.grad!.item()).toBeCloseTo(12, 5); // 6x at x = 2
    });

    it("sigmoid'' = σ'(1 − 2σ)", async () => {
      for (const v of [-3, -0.5, 0, 1.7]) {
        const x = tensor(v, { dtype: wideFloat(backend), requiresGrad: true });
        x.sigmoid().backward(undefined, { createGraph: true });
        const d1 = x.grad!;
        x.grad = null;
        d1.backward();
        const s = 1 / (1 + Math.exp(-v));
        expect(await x.grad!.item()).toBeCloseTo(s * (1 - s) * (1 - 2 * s), backend === "cpu" ? 10 : 6);
      }
    });
  });

  describe("backward semantics (PyTorch's)", () => {
    it("gradients accumulate across backward calls; grad = null resets", async () => {
      const x = tensor([1, 2], { requiresGrad: true });
      x.mul(3).sum().backward();
      x.mul(3).sum().backward();
      await expectTensorAsync(x.grad!, [6, 6]);
      x.grad = null;
      x.square().sum().backward();
      await expectTensorAsync(x.grad!, [2, 4]);
    });

    it("a second backward through the same graph adds again", async () => {
      const x = tensor(3, { requiresGrad: true });
      const y = x.square();
      y.backward();
      y.backward();
      expect(await x.grad!.item()).toBe(12);
    });

    it("shared subgraphs and reuse of one tensor sum their contributions", async () => {
      const x = tensor(2, { requiresGrad: true });
      const h = x.mul(x); // x used twice in one op
      const y = h.add(h).add(h.mul(x)); // h reused, x reused: y = 2x² + x³
      y.backward();
      expect(await x.grad!.item()).toBeCloseTo(4 * 2 + 3 * 4, 5);
    });

    it("intermediate tensors keep .grad only when retainGrad() was called", async () => {
      const x = tensor([1, 2], { requiresGrad: true });
      const h = x.mul(2);
      const k = x.mul(3).retainGrad();
      h.add(k).sum().backward();
      expect(h.grad).toBeNull();
      await expectTensorAsync(k.grad!, [1, 1]);
      expect(x.isLeaf).toBe(true);
      expect(h.isLeaf).toBe(false);
    });

    it("detach and noGrad cut the graph", async () => {
      const x = tensor(2, { requiresGrad: true });
      const y = x.mul(x.detach());
      y.backward();
      expect(await x.grad!.item()).toBe(2);
      const z = noGrad(() => x.mul(5));
      expect(z.requiresGrad).toBe(false);
      expect(z.gradFn).toBeNull();
    });

    it("a 20,000-op chain backpropagates without overflowing the stack", async () => {
      const x = tensor(1, { requiresGrad: true });
      let y = x;
      for (let i = 0; i < 20_000; i++) y = y.add(1);
      y.backward();
      expect(await x.grad!.item()).toBe(1);
    });

    it("the scalar chain of the benchmark: y = y + tanh(y·w + b)", async () => {
      const w = tensor(0.5, { dtype: wideFloat(backend), requiresGrad: true });
      const b = tensor(0.1, { dtype: wideFloat(backend), requiresGrad: true });
      let y = tensor(0.3, { dtype: wideFloat(backend) });
      for (let i = 0; i < 5; i++) y = y.add(y.mul(w).add(b).tanh());
      y.backward();
      // Same recurrence by hand, forward-mode.
      let v = 0.3, dw = 0, db = 0;
      for (let i = 0; i < 5; i++) {
        const t = Math.tanh(v * 0.5 + 0.1);
        const d = 1 - t * t;
        const ndw = dw + d * (dw * 0.5 + v);
        const ndb = db + d * (db * 0.5 + 1);
        v = v + t;
        dw = ndw;
        db = ndb;
      }
      expect(await w.grad!.item()).toBeCloseTo(dw, backend === "cpu" ? 10 : 5);
      expect(await b.grad!.item()).toBeCloseTo(db, backend === "cpu" ? 10 : 5);
    });
  });

  describe("autograd errors", () => {
    it("backward on a non-scalar without a gradient says what to do", async () => {
      const x = tensor([1, 2], { requiresGrad: true });
      expect(() => x.mul(2).backward()).toThrow(/the output has shape \[2\]; backward\(\) without an argument needs a single-element tensor/);
      x.mul(2).backward(tensor([1, 1]));
      await expectTensorAsync(x.grad!, [2, 2]);
      expect(() => x.mul(2).backward(tensor([1, 1, 1]))).toThrow(/the gradient has shape \[3\] but the output has shape \[2\]/);
    });

    it("backward on a tensor outside any graph", async () => {
      expect(() => tensor(3).square().backward()).toThrow(/does not require gradients/);
    });

    it("integer tensors cannot require gradients", async () => {
      const t = tensor([1, 2], { dtype: "int32" });
      expect(() => {
        t.requiresGrad = true;
      }).toThrow(/int32 tensor cannot have gradients/);
    });
  });
});
