import { Tensor } from "../tensor/tensor.js";
import { GradlabError } from "../tensor/errors.js";
import { noGrad } from "../autograd/mode.js";
import { Module } from "../nn/module.js";
import { keepsNoTensors } from "../nn/layers.js";
import { Adam } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Schedule } from "../optim/schedules.js";
import { batches } from "../data/split.js";
import { checkDataset, takeExamples, type Dataset } from "../data/dataset.js";
import { History } from "./history.js";
import { defaultDisplays, type Callbacks, type EpochLogs } from "./callbacks.js";
import { accuracy, resolveLoss, type LossFn, type LossName } from "./losses.js";
import { watchInterrupts } from "../host/interrupts.js";

export type Model = Module | ((x: Tensor) => Tensor);

export interface EarlyStopping {
  /** Epochs without improvement to wait before stopping. */
  patience?: number;
  /** Smallest decrease that counts as an improvement. */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping (default true). */
  restoreBestWeights?: boolean;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Default: Adam with lr 0.01 over the model's parameters. */
  optimizer?: Optimizer;
  /** Default: crossEntropy for int32 class labels, mse otherwise. */
  loss?: LossName | LossFn;
  /** Default: ["accuracy"] for classification losses. */
  metrics?: "accuracy"[];
  /** Fraction of the examples (taken from the end) held out for validation. */
  validationSplit?: number;
  validationData?: Dataset;
  earlyStopping?: boolean | EarlyStopping;
  /** Stepped once per epoch. */
  schedule?: Schedule;
  shuffle?: boolean;
  callbacks?: Callbacks | Callbacks[];
  /** Show progress and a live loss curve where a display is registered (notebooks). Default true. */
  display?: boolean;
}

function forward(model: Model, x: Tensor): Tensor {
  return model instanceof Module ? model.forward(x) : model(x);
}

function setTraining(model: Model, on: boolean): void {
  if (model instanceof Module) model.train(on);
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new GradlabError(`fit: ${name} must be a whole number ≥ 1, got ${v}`);
  return v;
}

async function evaluateOn(model: Model, ds: Dataset, loss: { fn: LossFn; name: string }, withAccuracy: boolean): Promise<{ loss: number; accuracy?: number }> {
  const wasTraining = model instanceof Module ? model.training : true;
  setTraining(model, false);
  try {
    const [l, a] = noGrad(() => {
      const pred = forward(model, ds.x);
      return [loss.fn(pred, ds.y), withAccuracy ? accuracy(pred, ds.y, loss.name) : null] as const;
    });
    return { loss: (await l.item()) as number, ...(a ? { accuracy: (await a.item()) as number } : {}) };
  } finally {
    setTraining(model, wasTraining);
  }
}

/** Loss (and accuracy for classification) of `model` on a data set, without training. */
export async function evaluate(model: Model, ds: Dataset, options: { loss?: LossName | LossFn } = {}): Promise<{ loss: number; accuracy?: number }> {
  checkDataset("evaluate", ds);
  const loss = resolveLoss(options.loss, ds.y);
  return evaluateOn(model, ds, loss, loss.name !== "mse");
}

/**
 * One batch's forward, backward and update. A function of its own (not inline in fit's async
 * loop) so V8 optimizes it, and the library code it calls, as soon as it is hot, rather than
 * waiting to recompile all of fit.
 */
function trainStep(model: Model, batch: Dataset, loss: { fn: LossFn; name: string }, optimizer: Optimizer, first: boolean): { out: Tensor; l: Tensor } {
  let l: Tensor;
  let out: Tensor;
  try {
    out = forward(model, batch.x);
    l = loss.fn(out, batch.y);
  } catch (e) {
    if (first && e instanceof Error) {
      const out = noGrad(() => forward(model, batch.x.slice([0, 1])));
      e.message = `fit: the model's output [${["batch", ...out.shape.slice(1)].join(",")}] does not fit the loss ${loss.name} with targets [${["batch", ...batch.y.shape.slice(1)].join(",")}] (${batch.y.dtype}): ${e.message}`;
    }
    throw e;
  }
  if (l.size !== 1) throw new GradlabError(`fit: the loss must be a single number, got shape [${l.shape.join(",")}]`);
  optimizer.zeroGrad();
  l.backward();
  optimizer.step();
  return { out, l };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Freed tensor memory is recycled by finalizers, which only run between event-loop tasks (an
 * `await` of a resolved promise is not one). Yielding a task every ~50 ms lets them run within
 * long epochs, and lets a notebook redraw and interrupt, at a cost of microseconds.
 */
const YIELD_EVERY_MS = 50;

/**
 * Trains `model` on `{x, y}` with minibatches and returns the per-epoch history. Async so a
 * notebook can redraw progress between epochs and interrupt a long run.
 */
export async function fit(model: Model, ds: Dataset, options: FitOptions = {}): Promise<History> {
  const n = checkDataset("fit", ds);
  const epochs = positiveInt("epochs", options.epochs ?? 10);
  const batchSize = positiveInt("batchSize", options.batchSize ?? 32);
  if (!(model instanceof Module) && typeof model !== "function") throw new GradlabError("fit: model must be an nn.Module or a function x => prediction");
  if (!options.optimizer && !(model instanceof Module)) throw new GradlabError("fit: pass an optimizer when the model is a plain function");
  const optimizer = options.optimizer ?? new Adam((model as Module).parameters(), { lr: 0.01 });
  const loss = resolveLoss(options.loss, ds.y);
  const metrics = options.metrics ?? (loss.name === "mse" ? [] : ["accuracy"]);

  let train = ds;
  let val = options.validationData ?? null;
  if (options.validationSplit !== undefined) {
    const f = options.validationSplit;
    if (!(f > 0 && f < 1)) throw new GradlabError(`fit: validationSplit must be a fraction in (0, 1), got ${f}`);
    const nVal = Math.round(n * f);
    if (nVal < 1 || nVal >= n) throw new GradlabError(`fit: ${n} examples are too few for validationSplit ${f}`);
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    train = takeExamples(ds, idx.subarray(0, n - nVal));
    val = takeExamples(ds, idx.subarray(n - nVal));
  }
  if (val) checkDataset("fit (validation data)", val);
  const nTrain = train.x.shape[0]!;

  const es = options.earlyStopping === true ? {} : options.earlyStopping || null;
  const patience = es?.patience ?? 5;
  const minDelta = es?.minDelta ?? 0;
  let best = Infinity;
  let bestState: Map<string, Tensor> | null = null;
  let waited = 0;

  const callbacks = [
    ...(options.display === false ? [] : defaultDisplays()),
    ...(options.callbacks ? (Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks]) : []),
  ];
  const history = new History();
  const ownLayers = model instanceof Module && keepsNoTensors(model);
  // An interrupted notebook cell stops awaiting fit at once; this stops the training itself.
  const stopIfInterrupted = watchInterrupts();
  const emit = async <K extends keyof Callbacks>(k: K, ...args: Parameters<NonNullable<Callbacks[K]>>) => {
    for (const c of callbacks) await (c[k] as ((...a: unknown[]) => unknown) | undefined)?.call(c, ...args);
  };
  await emit("onTrainBegin", { epochs, batchesPerEpoch: Math.ceil(nTrain / batchSize), examples: nTrain, hasValidation: !!val, metrics });

  setTraining(model, true);
  try {
    let lastYield = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      await emit("onEpochBegin", epoch);
      let sum = 0;
      let seen = 0;
      let b = 0;
      for (const batch of batches(train, { batchSize, shuffle: options.shuffle ?? true })) {
        stopIfInterrupted();
        const { out, l } = trainStep(model, batch, loss, optimizer, epoch === 0 && b === 0);
        const value = (await l.item()) as number;
        // The batch and the model's output are fit's own; with a model of the library's layers,
        // which keep nothing they see, nothing else can hold them, so they go back now instead
        // of piling up for the collector.
        if (ownLayers) for (const t of [batch.x, batch.y, out, l]) if (t.storage.holders === 1) t.storage.dispose();
        if (!Number.isFinite(value)) {
          throw new GradlabError(
            `fit: the loss became ${value} at epoch ${epoch + 1}, batch ${b + 1}; training diverged. Try a lower learning rate (now ${optimizer.lr}, e.g. ${optimizer.lr / 10}), or check the inputs for NaN`,
          );
        }
        const m = batch.x.shape[0]!;
        sum += value * m;
        seen += m;
        await emit("onBatchEnd", { epoch, batch: b, loss: value });
        b++;
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await tick();
          lastYield = performance.now();
        }
      }
      const logs: EpochLogs = { epoch, loss: sum / seen, lr: optimizer.lr, seconds: (performance.now() - t0) / 1000 };
      if (metrics.includes("accuracy")) logs.accuracy = (await evaluateOn(model, train, loss, true)).accuracy!;
      if (val) {
        const v = await evaluateOn(model, val, loss, metrics.includes("accuracy"));
        logs.valLoss = v.loss;
        if (v.accuracy !== undefined) logs.valAccuracy = v.accuracy;
      }
      history.loss.push(logs.loss);
      history.lr.push(logs.lr);
      history.seconds.push(logs.seconds);
      if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
      if (logs.accuracy !== undefined) history.accuracy.push(logs.accuracy);
      if (logs.valAccuracy !== undefined) history.valAccuracy.push(logs.valAccuracy);
      options.schedule?.step();
      await emit("onEpochEnd", logs);
      await tick();

      if (es) {
        const monitored = logs.valLoss ?? logs.loss;
        if (monitored < best - minDelta) {
          best = monitored;
          history.bestEpoch = epoch;
          waited = 0;
          if (es.restoreBestWeights !== false && model instanceof Module) bestState = model.state();
        } else if (++waited >= patience) {
          history.stoppedEarly = true;
          if (bestState && model instanceof Module) model.loadState(bestState);
          break;
        }
      }
    }
  } finally {
    // Also when interrupted or failed: dropout must not stay on for later evaluation.
    setTraining(model, false);
  }
  await emit("onTrainEnd", history);
  return history;
}
