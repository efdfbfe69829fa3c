import { F, manualSeed, nn, optim, randint, randn } from "../lib/index.js";
import { timeUs } from "./timing.js";
import type { Result } from "./workloads.js";

/** Issue 4's end-to-end number: nn.Sequential + Adam + crossEntropy, one step per call. */
export function nnTrainStep(): Result {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 128, { activation: "relu" }), new nn.Linear(128, 10));
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([64, 784]);
  const y = randint(0, 10, [64]);
  const step = () => {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  };
  const first = step().itemSync() as number;
  for (let i = 0; i < 5; i++) step();
  const later = step().itemSync() as number;
  if (!(later < first)) throw new Error(`nn train step: loss did not fall (${first} → ${later})`);
  const us = timeUs(step, { reps: 1, samples: 15, warmup: 2 });
  return { name: "nn MLP 784-128-10 Adam step, batch 64", value: 1e6 / us, unit: "steps/s" };
}
