import { randn, tensor, manualSeed, randint, Tensor, noGrad } from "../lib/index.js";
import { timeUs } from "./timing.js";

export interface Result {
  name: string;
  value: number;
  unit: string;
  /** What the issue asks for, as text, and whether this run meets it. */
  target?: string;
  met?: boolean;
}

export function opOverhead(): Result {
  const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const b = tensor([[5, 6], [7, 8]]);
  const us = timeUs(() => a.add(b), { reps: 20_000 });
  return { name: "2×2 add with gradient tracking", value: us, unit: "µs/op", target: "≤ 0.5 µs", met: us <= 0.5 };
}

export function scalarChain(): Result {
  const w = tensor(0.5, { requiresGrad: true });
  const b = tensor(0.1, { requiresGrad: true });
  const us = timeUs(() => {
    let y = tensor(0.3);
    for (let i = 0; i < 250; i++) y = y.add(y.mul(w).add(b).tanh());
    y.backward();
  }, { reps: 5 });
  const perOp = us / 1000;
  return { name: "1000-op scalar autograd chain, fwd+bwd", value: perOp, unit: "µs/op", target: "≤ 1 µs", met: perOp <= 1 };
}

export function matmul(n: number): Result {
  manualSeed(0);
  const a = randn([n, n]);
  const b = randn([n, n]);
  const check = a.matmul(b).slice(0, 0).itemSync() as number;
  const want = (a.slice(0).dataSync() as Float32Array).reduce((s, v, k) => s + v * (b.slice(k, 0).itemSync() as number), 0);
  if (Math.abs(check - want) > 1e-3 * Math.max(1, Math.abs(want))) throw new Error(`matmul ${n}: wrong result ${check} vs ${want}`);
  const us = timeUs(() => a.matmul(b), { reps: 1, samples: n >= 1024 ? 3 : 7, warmup: 1 });
  return { name: `matmul ${n}×${n}`, value: (2 * n ** 3) / us / 1e3, unit: "GFLOP/s" };
}

export function relu(): Result {
  const x = randn([1_000_000]);
  const us = timeUs(() => x.relu(), { reps: 5 });
  // Bytes moved: 4 read + 4 written per element.
  return { name: "relu on 1e6 floats", value: 8e6 / us / 1e3, unit: "GB/s" };
}

/**
 * One SGD step of a 784-128-10 MLP on a batch of 64 with softmax cross-entropy, in raw tensor
 * ops, on the current backend; the step returns its loss.
 */
export function makeMlpStep(): () => Tensor {
  manualSeed(0);
  const w1 = randn([784, 128]).mul(0.05).detach();
  const b1 = tensor(new Float32Array(128));
  const w2 = randn([128, 10]).mul(0.1).detach();
  const b2 = tensor(new Float32Array(10));
  const params = [w1, b1, w2, b2];
  for (const p of params) p.requiresGrad = true;
  const x = randn([64, 784]);
  const y = randint(0, 10, [64, 1]);
  return () => {
    const loss = x.matmul(w1).add(b1).relu().matmul(w2).add(b2).logSoftmax(1).gather(1, y).mean().neg();
    loss.backward();
    noGrad(() => {
      for (const p of params) {
        p._assign(p.sub(p.grad!.mul(0.1)));
        p.grad = null;
      }
    });
    return loss;
  };
}

export function mlpStep(): Result {
  const step = makeMlpStep();
  const first = (step().itemSync() as number);
  for (let i = 0; i < 5; i++) step();
  const later = (step().itemSync() as number);
  if (!(later < first)) throw new Error(`MLP step: loss did not fall (${first} → ${later})`);
  const us = timeUs(step, { reps: 1, samples: 15, warmup: 2 });
  return { name: "MLP 784-128-10 SGD step, batch 64", value: 1e6 / us, unit: "steps/s" };
}

export type Workload = () => Result;
export const workloads: Workload[] = [opOverhead, scalarChain, () => matmul(256), () => matmul(1024), relu, mlpStep];
export { Tensor };
