import { describe, expect, it } from "vitest";
import { data, manualSeed, memory, nn, optim, tensor, train } from "../../../lib/index.js";
import v8 from "node:v8";
import vm from "node:vm";

describe("train.fit converges", () => {
  it("XOR to 100% accuracy", async () => {
    manualSeed(0);
    const net = new nn.Sequential(new nn.Linear(2, 8, { activation: "tanh" }), new nn.Linear(8, 2));
    const h = await train.fit(net, data.xor(), { epochs: 300, batchSize: 4, optimizer: new optim.Adam(net.parameters(), { lr: 0.05 }) });
    expect(h.accuracy.at(-1)).toBe(1);
    expect(h.loss.at(-1)).toBeLessThan(0.01);
  });

  it("spirals to ≥ 95% training accuracy", async () => {
    manualSeed(0);
    const net = new nn.Sequential(new nn.Linear(2, 64, { activation: "relu" }), new nn.Linear(64, 64, { activation: "relu" }), new nn.Linear(64, 3));
    const h = await train.fit(net, data.spirals({ seed: 1 }), { epochs: 150, batchSize: 32, optimizer: new optim.Adam(net.parameters(), { lr: 0.01 }) });
    expect(h.accuracy.at(-1)).toBeGreaterThanOrEqual(0.95);
  });

  it("iris to ≥ 90% test accuracy within 50 epochs", async () => {
    manualSeed(0);
    const ds = await data.iris();
    const { train: tr, test: te } = data.trainTestSplit({ x: data.standardize(ds.x).x, y: ds.y }, { testSize: 0.3 });
    const net = new nn.Sequential(new nn.Linear(4, 16, { activation: "relu" }), new nn.Linear(16, 3));
    await train.fit(net, tr, { epochs: 50, batchSize: 16 });
    expect((await train.evaluate(net, te)).accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("regression with mse recovers the true weights", async () => {
    manualSeed(0);
    const ds = data.regression({ n: 200, w: [3], b: -1, noise: 0.05, seed: 2 });
    const lin = new nn.Linear(1, 1);
    await train.fit(lin, ds, { epochs: 60, batchSize: 20, optimizer: new optim.SGD(lin.parameters(), { lr: 0.1 }) });
    expect(lin.weight.itemSync()).toBeCloseTo(3, 1);
    expect(lin.bias!.itemSync()).toBeCloseTo(-1, 1);
  });

  it("is deterministic under manualSeed", async () => {
    const run = async () => {
      manualSeed(11);
      const net = new nn.Sequential(new nn.Linear(2, 4, { activation: "relu" }), new nn.Linear(4, 2));
      return (await train.fit(net, data.moons({ n: 64, seed: 1 }), { epochs: 3, batchSize: 16 })).loss;
    };
    expect(await run()).toEqual(await run());
  });
});

describe("train.fit features", () => {
  it("validation split, metrics, callbacks and a schedule", async () => {
    manualSeed(1);
    const net = new nn.Sequential(new nn.Linear(2, 8, { activation: "relu" }), new nn.Linear(8, 2));
    const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
    const events: string[] = [];
    const h = await train.fit(net, data.moons({ n: 100, seed: 2 }), {
      epochs: 4,
      batchSize: 25,
      optimizer: opt,
      validationSplit: 0.2,
      schedule: new optim.StepDecay(opt, { stepSize: 1, gamma: 0.5 }),
      callbacks: {
        onTrainBegin: (info) => void events.push(`begin ${info.examples} ${info.batchesPerEpoch}`),
        onBatchEnd: (l) => void events.push(`batch ${l.epoch}.${l.batch}`),
        onEpochEnd: (l) => void events.push(`epoch ${l.epoch} ${l.valLoss !== undefined}`),
        onTrainEnd: () => void events.push("end"),
      },
    });
    expect(h.epochs).toBe(4);
    expect(h.valLoss).toHaveLength(4);
    expect(h.valAccuracy).toHaveLength(4);
    expect(h.lr).toEqual([0.1, 0.05, 0.025, 0.0125]);
    expect(events[0]).toBe("begin 80 4");
    expect(events.filter((e) => e.startsWith("batch"))).toHaveLength(16);
    expect(events.at(-2)).toBe("epoch 3 true");
    expect(events.at(-1)).toBe("end");
    expect(h.toString()).toContain("valAccuracy");
  });

  it("early stopping stops and restores the best weights", async () => {
    manualSeed(2);
    // A learning rate far too high makes validation loss worse after the first epochs.
    const ds = data.regression({ n: 40, w: [1], noise: 0.1, seed: 3 });
    const lin = new nn.Linear(1, 1);
    const opt = new optim.SGD(lin.parameters(), { lr: 0.3 });
    let bestWeight = NaN;
    let bestVal = Infinity;
    const h = await train.fit(lin, ds, {
      epochs: 200,
      batchSize: 4,
      optimizer: opt,
      validationSplit: 0.25,
      earlyStopping: { patience: 3 },
      callbacks: {
        onEpochEnd: (l) => {
          if (l.valLoss! < bestVal) {
            bestVal = l.valLoss!;
            bestWeight = lin.weight.itemSync() as number;
          }
        },
      },
    });
    expect(h.stoppedEarly).toBe(true);
    expect(h.epochs).toBeLessThan(200);
    expect(h.epochs - 1 - h.bestEpoch!).toBe(3);
    expect(lin.weight.itemSync()).toBe(bestWeight);
  });

  it("a diverging run stops with the epoch, batch and a lower learning rate", async () => {
    const lin = new nn.Linear(1, 1);
    const ds = { x: tensor([[1e3], [2e3]]), y: tensor([[1], [2]]) };
    await expect(train.fit(lin, ds, { epochs: 50, batchSize: 2, optimizer: new optim.SGD(lin.parameters(), { lr: 10 }) })).rejects.toThrow(
      /the loss became (NaN|Infinity) at epoch \d+, batch 1; training diverged\. Try a lower learning rate \(now 10, e\.g\. 1\)/,
    );
  });

  it("a model whose output does not fit the loss is named in the error", async () => {
    const net = new nn.Linear(2, 1);
    await expect(train.fit(net, data.xor(), { epochs: 1 })).rejects.toThrow(
      /fit: the model's output \[batch,1\] does not fit the loss crossEntropy with targets \[batch\] \(int32\).*a 1-output model needs bceWithLogits/,
    );
  });

  it("bad options are rejected", async () => {
    await expect(train.fit(new nn.Linear(2, 2), data.xor(), { epochs: 0 })).rejects.toThrow(/epochs must be a whole number ≥ 1, got 0/);
    await expect(train.fit(new nn.Linear(2, 2), data.xor(), { validationSplit: 2 })).rejects.toThrow(/validationSplit must be a fraction/);
  });
});

describe("memory", () => {
  it("stays flat over 3,000 training steps without any dispose call", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 0));
      }
      return memory().bytes;
    };
    manualSeed(0);
    const net = new nn.Sequential(new nn.Linear(16, 32, { activation: "relu" }), new nn.Linear(32, 4));
    const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
    const x = tensor(new Float32Array(64 * 16).map((_, i) => Math.sin(i))).reshape(64, 16);
    const y = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 4));
    const { F } = await import("../../../lib/index.js");
    const samples: number[] = [];
    for (let step = 0; step < 3000; step++) {
      opt.zeroGrad();
      F.crossEntropy(net.forward(x), y).backward();
      opt.step();
      if (step % 500 === 499) samples.push(await settle());
    }
    // Live bytes hold parameters and optimizer state (~10 KB) plus whatever the finalizers have
    // not reached yet. A leak of even one tracked tensor (≥ 1 KiB) per step would add ≥ 500 KB
    // between samples; flat means far less than that, however the collector happens to time.
    const growth = samples[samples.length - 1]! - samples[0]!;
    expect(growth).toBeLessThan(128 * 1024);
    expect(Math.max(...samples)).toBeLessThan(256 * 1024);
  });
});
