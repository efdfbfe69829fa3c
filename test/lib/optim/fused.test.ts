import { describe, expect, it } from "vitest";
import { manualSeed, optim, randn, type Tensor } from "../../../lib/index.js";
import { backends, onBackend } from "../../helpers/backends.js";

type Make = (p: Tensor[]) => optim.Optimizer;

/** The same optimizer with its tensor-op `update` forced (a subclass that keeps the formula but overrides it). */
function tensorOps<T extends new (p: Tensor[], o: never) => optim.Optimizer>(Base: T, options: unknown): Make {
  const Sub = class extends (Base as unknown as new (p: Tensor[], o: unknown) => optim.Optimizer) {
    protected override update(p: Tensor, g: Tensor, i: number): Tensor {
      return (Base.prototype as unknown as { update(p: Tensor, g: Tensor, i: number): Tensor }).update.call(this, p, g, i);
    }
  };
  return (p) => new Sub(p, options);
}

const CASES: [string, Make, Make][] = [
  ["SGD", (p) => new optim.SGD(p, { lr: 0.05 }), tensorOps(optim.SGD, { lr: 0.05 })],
  ["SGD + weight decay", (p) => new optim.SGD(p, { lr: 0.05, weightDecay: 0.1 }), tensorOps(optim.SGD, { lr: 0.05, weightDecay: 0.1 })],
  ["SGD + momentum", (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9 }), tensorOps(optim.SGD, { lr: 0.05, momentum: 0.9 })],
  ["SGD + Nesterov", (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true }), tensorOps(optim.SGD, { lr: 0.05, momentum: 0.8, nesterov: true })],
  ["RMSProp", (p) => new optim.RMSProp(p, { lr: 0.01 }), tensorOps(optim.RMSProp, { lr: 0.01 })],
  ["RMSProp + weight decay", (p) => new optim.RMSProp(p, { lr: 0.01, weightDecay: 0.01 }), tensorOps(optim.RMSProp, { lr: 0.01, weightDecay: 0.01 })],
  ["Adam", (p) => new optim.Adam(p, { lr: 0.01 }), tensorOps(optim.Adam, { lr: 0.01 })],
  ["Adam + weight decay", (p) => new optim.Adam(p, { lr: 0.01, weightDecay: 0.05, betas: [0.8, 0.99] }), tensorOps(optim.Adam, { lr: 0.01, weightDecay: 0.05, betas: [0.8, 0.99] })],
];

/** Parameters after `steps` steps on f(w) = Σ sin(w) ⊙ c (a gradient that changes every step). */
async function run(make: Make, steps: number): Promise<number[][]> {
  manualSeed(11);
  // 300 elements: the Wasm kernel's vector loop and its tail; 7: the small path.
  const params = [randn([300]), randn([7])].map((t) => {
    t.requiresGrad = true;
    return t;
  });
  const c = [randn([300]), randn([7])];
  const opt = make(params);
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    params.map((p, i) => p.sin().mul(c[i]!).sum()).reduce((a, b) => a.add(b)).backward();
    opt.step();
  }
  return Promise.all(params.map(async (p) => [...((await p.data()) as Float32Array)]));
}

describe.each(backends)("fused optimizer steps (%s)", (name) => {
  onBackend(name);

  it.each(CASES)("%s: the fused step gives the tensor-op formula's values", async (_label, fused, ops) => {
    const [a, b] = await Promise.all([run(fused, 25), run(ops, 25)]);
    a.forEach((values, k) =>
      values.forEach((v, i) => {
        // Same float32 operations in the same order: the same bits on the CPU; a GPU may fuse a multiply-add.
        if (name === "cpu") expect(v).toBe(b[k]![i]);
        else expect(v).toBeCloseTo(b[k]![i]!, 5);
      }),
    );
  });
});

describe("fused steps write in place only what they alone hold (cpu)", () => {
  it("a parameter no one else holds keeps its buffer; a detached view keeps the old values", () => {
    const w = randn([64, 32]);
    w.requiresGrad = true;
    const opt = new optim.Adam([w], { lr: 0.1 });
    const step = () => {
      opt.zeroGrad();
      w.square().sum().backward();
      opt.step();
    };
    step();
    const buf = w.buf;
    step();
    expect(w.buf).toBe(buf);
    const before = w.detach();
    const snapshot = [...(before.dataSync() as Float32Array)];
    step();
    expect(w.buf).not.toBe(buf);
    expect([...(before.dataSync() as Float32Array)]).toEqual(snapshot);
    expect([...(w.dataSync() as Float32Array)]).not.toEqual(snapshot);
  });

  it("a subclass that overrides update runs its own formula", () => {
    class Halve extends optim.SGD {
      protected override update(p: Tensor): Tensor {
        return p.mul(0.5);
      }
    }
    const w = randn([10]);
    w.requiresGrad = true;
    const start = [...(w.dataSync() as Float32Array)];
    const opt = new Halve([w], { lr: 1 });
    w.sum().backward();
    opt.step();
    expect([...(w.dataSync() as Float32Array)]).toEqual(start.map((v) => Math.fround(v * 0.5)));
  });
});
