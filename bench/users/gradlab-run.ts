import { F, data, manualSeed, memory, nn, optim, randint, randn, setBackend, train, type Tensor } from "../../lib/index.js";
import { memoryPressure } from "../../lib/tensor/storage.js";
import { coresSince, cpuSeconds, rssMB, type RunResult } from "./result.js";

/**
 * One workload of the "as users write it" benchmark, in a process of its own (so memory is
 * measured from a clean start): `node dist/bench/users/gradlab-run.js <workload> [steps]`.
 * Prints one JSON line (RunResult). Every workload is the code a lesson or a student writes:
 * the high-level API, no dispose, no await inside the loop.
 */
type Workload = (steps: number) => Promise<RunResult>;

function mlp(): { model: nn.Sequential; x: Tensor; y: Tensor } {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 128, { activation: "relu" }), new nn.Linear(128, 10));
  return { model, x: randn([64, 784]), y: randint(0, 10, [64]) };
}

/** The loop; RSS is sampled every 100 steps, speed measured after step 100 (warm-up). */
function loop(make: (params: Tensor[]) => optim.Optimizer): Workload {
  return async (steps) => {
    const { model, x, y } = mlp();
    const opt = make(model.parameters());
    let t100 = 0;
    let cpu100 = 0;
    let rss100 = 0;
    let peak = 0;
    for (let step = 0; step < steps; step++) {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      opt.step();
      if (step === 100) {
        t100 = performance.now();
        cpu100 = cpuSeconds();
        rss100 = rssMB();
      }
      if (step > 100 && step % 100 === 0) peak = Math.max(peak, rssMB());
    }
    const seconds = (performance.now() - t100) / 1000;
    const cores = coresSince(cpu100, seconds);
    const loss = await F.crossEntropy(model.forward(x), y).item();
    if (!Number.isFinite(loss)) throw new Error(`loss ${loss}`);
    return { value: (steps - 101) / seconds, unit: "steps/s", rss100, rssPeak: Math.max(peak, rssMB()), collections: memoryPressure("cpu").collections, cores };
  };
}

const WORKLOADS: Record<string, Workload> = {
  sgd: loop((p) => new optim.SGD(p, { lr: 0.01 })),
  momentum: loop((p) => new optim.SGD(p, { lr: 0.01, momentum: 0.9 })),
  rmsprop: loop((p) => new optim.RMSProp(p, { lr: 0.001 })),
  adam: loop((p) => new optim.Adam(p, { lr: 0.001 })),

  /** train.fit on the shipped digits, as lesson 09 calls it (without its live display). */
  async fit(epochs) {
    const ds = await data.digits();
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(784, 128, { activation: "relu" }), new nn.Linear(128, 10));
    const rss100 = rssMB();
    const t0 = performance.now();
    const cpu0 = cpuSeconds();
    const h = await train.fit(model, ds, { epochs, batchSize: 64, optimizer: new optim.Adam(model.parameters(), { lr: 0.001 }), display: false, metrics: [] });
    const seconds = (performance.now() - t0) / 1000;
    const cores = coresSince(cpu0, seconds);
    if (!(h.loss[h.loss.length - 1]! < h.loss[0]!)) throw new Error(`fit: the loss did not fall (${h.loss.join(", ")})`);
    return { value: (ds.x.shape[0]! * epochs) / seconds, unit: "samples/s", rss100, rssPeak: rssMB(), collections: memoryPressure("cpu").collections, cores };
  },

  /** `y = x.relu()` on a million floats in a loop that never disposes nor awaits. */
  async relu(steps) {
    const x = randn([1_000_000]);
    let y = x.relu();
    for (let i = 0; i < 100; i++) y = x.relu();
    const rss100 = rssMB();
    let peak = 0;
    const t0 = performance.now();
    const cpu0 = cpuSeconds();
    for (let i = 0; i < steps; i++) {
      y = x.relu();
      if (i % 100 === 0) peak = Math.max(peak, rssMB());
    }
    const seconds = (performance.now() - t0) / 1000;
    const cores = coresSince(cpu0, seconds);
    if (y.dataSync()[0] !== Math.max(0, x.dataSync()[0]!)) throw new Error("relu: wrong value");
    return { value: (8e6 * steps) / seconds / 1e9, unit: "GB/s", rss100, rssPeak: Math.max(peak, rssMB()), collections: memoryPressure("cpu").collections, cores };
  },

  /** The lesson-02 style scalar graph: 250 ops a chain, backward, thousands of times. */
  async chain(steps) {
    const w = randn([]);
    const b = randn([]);
    w.requiresGrad = b.requiresGrad = true;
    const run = () => {
      w.grad = null;
      b.grad = null;
      let z = randn([]).mul(0.1);
      for (let i = 0; i < 250; i++) z = z.add(z.mul(w).add(b).tanh());
      z.backward();
    };
    for (let i = 0; i < 100; i++) run();
    const rss100 = rssMB();
    let peak = 0;
    const t0 = performance.now();
    const cpu0 = cpuSeconds();
    for (let i = 0; i < steps; i++) {
      run();
      if (i % 100 === 0) peak = Math.max(peak, rssMB());
    }
    const seconds = (performance.now() - t0) / 1000;
    const cores = coresSince(cpu0, seconds);
    return { value: (seconds * 1e6) / (steps * 1000), unit: "µs/op", rss100, rssPeak: Math.max(peak, rssMB()), collections: memoryPressure("cpu").collections, cores };
  },

  /** The Adam loop on WebGPU (a software adapter here): live GPU bytes, not RSS. */
  async "webgpu-adam"(steps) {
    await setBackend("webgpu");
    const { model, x, y } = mlp();
    const opt = new optim.Adam(model.parameters(), { lr: 0.001 });
    let live100 = 0;
    let peak = 0;
    let t100 = 0;
    let cpu100 = 0;
    for (let step = 0; step < steps; step++) {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      opt.step();
      if (step === 100) {
        live100 = memory().bytes;
        t100 = performance.now();
        cpu100 = cpuSeconds();
      }
      if (step > 100) peak = Math.max(peak, memory().bytes);
    }
    await F.crossEntropy(model.forward(x), y).item();
    const seconds = (performance.now() - t100) / 1000;
    const cores = coresSince(cpu100, seconds);
    return { value: (steps - 101) / seconds, unit: "steps/s", rss100: live100 / 2 ** 20, rssPeak: peak / 2 ** 20, collections: memoryPressure("webgpu").collections, memory: "live GPU MiB", cores };
  },
};

const [name, stepsArg] = process.argv.slice(2);
const workload = WORKLOADS[name ?? ""];
if (!workload) {
  console.error(`usage: gradlab-run.js <${Object.keys(WORKLOADS).join("|")}> [steps]`);
  process.exit(2);
}
console.log(JSON.stringify(await workload(Number(stepsArg ?? 2000))));
process.exit(0);
