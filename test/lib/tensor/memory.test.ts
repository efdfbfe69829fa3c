import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { F, manualSeed, memory, nn, optim, randint, randn, tensor, type Tensor } from "../../../lib/index.js";
import { cpuBackend } from "../../../lib/backend/registry.js";
import type { CpuBackend } from "../../../lib/backend/cpu/cpu-backend.js";
import { memoryPressure } from "../../../lib/tensor/storage.js";
import { COLLECT_BUDGET } from "../../../lib/tensor/collect-budget.js";
import { backends, onBackend } from "../../helpers/backends.js";

// A block freed too early would be reused or read as NaN: every freed CPU block is poisoned.
const cpu = cpuBackend() as CpuBackend;
beforeAll(() => {
  cpu.poisonFreed = true;
});
afterAll(() => {
  cpu.poisonFreed = false;
});

const f32 = (t: Tensor): Float32Array => Float32Array.from(t.dataSync() as Float32Array);

/** The loop of the issue, written as users write it: no dispose, no await, the high-level API. */
function mlp(inputs: number, hidden: number, classes: number): { model: nn.Sequential; x: Tensor; y: Tensor } {
  manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(inputs, hidden, { activation: "relu" }), new nn.Linear(hidden, classes));
  return { model, x: randn([32, inputs]), y: randint(0, classes, [32]) };
}

describe.each(backends)("a synchronous training loop keeps memory bounded (%s)", (name) => {
  onBackend(name);

  it("2,000 Adam steps without dispose or await: live bytes stay within the collection budget, and almost nothing is left to the collector", () => {
    const { model, x, y } = mlp(64, 128, 10);
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const live: number[] = [];
    const tensors: number[] = [];
    let pending100 = 0;
    let collections100 = 0;
    for (let step = 0; step < 2000; step++) {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      opt.step();
      live.push(memory().bytes);
      tensors.push(memory().tensors);
      if (step === 100) ({ pending: pending100, collections: collections100 } = memoryPressure(name));
    }
    const at100 = live[100]!;
    const peak = Math.max(...live.slice(100));
    const budget = COLLECT_BUDGET[name];
    // Without the engine's own frees this loop leaves ~0.6 MB a step (1.2 GB by the end).
    expect(peak, `live bytes at step 100: ${at100}, peak after: ${peak}`).toBeLessThanOrEqual(at100 + Math.max(budget.max, at100 * budget.share) + 1e6);
    // At most three tensors a step (the output, the loss, a label view) wait for the collector.
    expect(tensors[200]! - tensors[100]!).toBeLessThanOrEqual(300);
    // What the collector must find: the model's output and the loss, a few KB a step.
    const after = memoryPressure(name);
    const leftPerStep = after.collections === collections100 ? (after.pending - pending100) / 1899 : 0;
    expect(leftPerStep, "bytes a step left for the garbage collector").toBeLessThan(8 * 1024);
  }, 120_000);

  it("tensors the user keeps across the loop read their values afterwards", async () => {
    const { model, x, y } = mlp(32, 64, 4);
    const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const w = (model.layers[0] as nn.Linear).weight;
    let kept: { logits: Tensor; loss: Tensor; grad: Tensor; view: Tensor; snapshots: Float32Array[] } | null = null;
    for (let step = 0; step < 600; step++) {
      opt.zeroGrad();
      const logits = model.forward(x);
      const loss = F.crossEntropy(logits, y);
      loss.backward();
      if (step === 10) {
        // The gradient read by user code and a detached view of a weight must not be touched
        // by the next zeroGrad or step, which would otherwise free or overwrite them.
        const grad = w.grad!;
        const view = w.detach();
        kept = { logits, loss, grad, view, snapshots: await Promise.all([logits, loss, grad, view].map(async (t) => Float32Array.from((await t.data()) as Float32Array))) };
      }
      opt.step();
    }
    const k = kept!;
    const now = await Promise.all([k.logits, k.loss, k.grad, k.view].map(async (t) => Float32Array.from((await t.data()) as Float32Array)));
    now.forEach((v, i) => expect([...v]).toEqual([...k.snapshots[i]!]));
    // And the weight itself moved on, so the view really is an old value.
    expect([...f32(await w.to("cpu"))]).not.toEqual([...k.snapshots[3]!]);
  }, 120_000);
});

describe("elementwise and scalar loops without dispose (cpu)", () => {
  it("y = x.relu() on a million floats, 400 times: the Wasm heap does not grow past the budget", () => {
    const x = randn([1_000_000]);
    let y = x.relu();
    const heap = () => cpu.wasm!.rt.heap.stats().memoryBytes;
    for (let i = 0; i < 20; i++) y = x.relu();
    const early = heap();
    for (let i = 0; i < 400; i++) y = x.relu();
    expect(heap() - early).toBeLessThanOrEqual(COLLECT_BUDGET.cpu.max + 8e6);
    expect(y.dataSync()[0]).toBe(Math.max(0, x.dataSync()[0]!));
    // Collecting every 16 MiB costs more than the relus between collections, so the floor rose.
    expect(memoryPressure("cpu").floor).toBeGreaterThan(COLLECT_BUDGET.cpu.min);
    expect(memoryPressure("cpu").floor).toBeLessThanOrEqual(COLLECT_BUDGET.cpu.max);
  });

  it("a scalar autograd chain allocates nothing that needs collecting", () => {
    const w = tensor(0.5, { requiresGrad: true });
    const b = tensor(0.1, { requiresGrad: true });
    const before = memoryPressure("cpu");
    for (let k = 0; k < 200; k++) {
      w.grad = null;
      b.grad = null;
      let z = tensor(0.3);
      for (let i = 0; i < 250; i++) z = z.add(z.mul(w).add(b).tanh());
      z.backward();
    }
    expect(memoryPressure("cpu").pending).toBe(before.pending);
    expect(Number.isFinite(w.grad!.itemSync())).toBe(true);
  });
});

describe("backward frees the values only the graph holds", () => {
  it("a second backward through an nn.Sequential's output says how to keep them; retainGraph does", () => {
    const { model, x, y } = mlp(8, 16, 3);
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    expect(() => loss.backward()).toThrow(/freed by backward\(\).*retainGraph: true/);
    model.zeroGrad();
    const again = F.crossEntropy(model.forward(x), y);
    again.backward({ retainGraph: true });
    again.backward();
    const twice = f32(model.parameters()[0]!.grad!);
    // Accumulated twice: twice the single gradient (computed once more on a fresh graph).
    model.zeroGrad();
    F.crossEntropy(model.forward(x), y).backward();
    const single = f32(model.parameters()[0]!.grad!);
    single.forEach((g, i) => expect(twice[i]!).toBeCloseTo(2 * g, 5));
  });

  it("crossEntropy's saved log-probabilities go when backward is done, not at the next collection", () => {
    const logits = randn([64, 10]);
    logits.requiresGrad = true;
    const labels = randint(0, 10, [64]);
    logits.grad = null;
    const before = memory().tensors;
    for (let i = 0; i < 50; i++) {
      logits.grad = null;
      F.crossEntropy(logits, labels).backward();
    }
    // Only the last gradient remains (each [64, 10] buffer is counted).
    expect(memory().tensors).toBe(before + 1);
    const loss = F.crossEntropy(logits, labels);
    loss.backward();
    expect(() => loss.backward()).toThrow(/crossEntropy saved for its gradient were freed by backward\(\).*retainGraph: true/);
    const kept = F.crossEntropy(logits, labels);
    kept.backward({ retainGraph: true });
    expect(() => kept.backward()).not.toThrow();
  });

  it("a value the user holds is never freed, even between built-in layers", () => {
    const { model, x, y } = mlp(8, 16, 3);
    const hidden = model.layers[0]!.forward(x);
    const out = model.layers[1]!.forward(hidden);
    F.crossEntropy(out, y).backward();
    expect(f32(hidden).every(Number.isFinite)).toBe(true);
  });
});
