import { GradlabError } from "../tensor/errors.js";
import { randomInt } from "../tensor/random.js";
import { checkDataset, takeExamples, type Dataset } from "./dataset.js";

/** A random order of 0..n−1 (Fisher–Yates on the global generator: manualSeed makes it repeatable). */
export function permutation(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

export function shuffle(ds: Dataset): Dataset {
  return takeExamples(ds, permutation(checkDataset("shuffle", ds)));
}

/** Splits off a test set (default 20%), shuffling first unless `shuffle: false`. */
export function trainTestSplit(ds: Dataset, options: { testSize?: number; shuffle?: boolean } = {}): { train: Dataset; test: Dataset } {
  const n = checkDataset("trainTestSplit", ds);
  const frac = options.testSize ?? 0.2;
  if (!(frac > 0 && frac < 1)) throw new GradlabError(`trainTestSplit: testSize must be a fraction in (0, 1), got ${frac}`);
  const nTest = Math.round(n * frac);
  if (nTest < 1 || nTest >= n) throw new GradlabError(`trainTestSplit: ${n} examples are too few to split ${frac} of them off`);
  const order = options.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n);
  return { train: takeExamples(ds, order.subarray(0, n - nTest)), test: takeExamples(ds, order.subarray(n - nTest)) };
}

/** Minibatches of `batchSize` examples (the last may be smaller), shuffled each call by default. */
export function* batches(ds: Dataset, options: { batchSize: number; shuffle?: boolean }): Generator<Dataset> {
  const n = checkDataset("batches", ds);
  const size = options?.batchSize;
  if (!Number.isInteger(size) || size < 1) throw new GradlabError(`batches: batchSize must be a whole number ≥ 1, got ${size}`);
  if (options.shuffle === false && size >= n) {
    yield ds;
    return;
  }
  const order = options.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n);
  for (let start = 0; start < n; start += size) yield takeExamples(ds, order.subarray(start, Math.min(n, start + size)));
}
