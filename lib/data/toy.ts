import { tensor } from "../tensor/creation.js";
import { GradlabError } from "../tensor/errors.js";
import { Xoshiro128, normalFrom, uniform } from "../tensor/random.js";
import type { Dataset } from "./dataset.js";

export interface ToyOptions {
  /** Number of examples (per class for spirals and blobs' default). */
  n?: number;
  /** Standard deviation of Gaussian noise added to the points. */
  noise?: number;
  /** A seed for this set alone; without one, the global generator (manualSeed) decides. */
  seed?: number;
}

function generator(seed: number | undefined): Xoshiro128 {
  return new Xoshiro128(seed ?? Math.floor(uniform() * 4294967296));
}

function count(op: string, n: number | undefined, dflt: number): number {
  const v = n ?? dflt;
  if (!Number.isInteger(v) || v < 1) throw new GradlabError(`${op}: n must be a whole number ≥ 1, got ${v}`);
  return v;
}

function build(points: number[][], labels: number[]): Dataset {
  return { x: tensor(points), y: tensor(Int32Array.from(labels)) };
}

/**
 * XOR: without `n`, the four points of the truth table ((0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0);
 * with `n`, that many noisy points around the four corners.
 */
export function xor(options: ToyOptions = {}): Dataset {
  if (options.n === undefined) return build([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]);
  const n = count("xor", options.n, 4);
  const g = generator(options.seed);
  const noise = options.noise ?? 0.1;
  const pts: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = i % 2;
    const b = Math.floor(i / 2) % 2;
    pts.push([a + noise * normalFrom(g), b + noise * normalFrom(g)]);
    ys.push(a ^ b);
  }
  return build(pts, ys);
}

/** Two interleaving half circles (scikit-learn's make_moons). */
export function moons(options: ToyOptions = {}): Dataset {
  const n = count("moons", options.n, 200);
  const g = generator(options.seed);
  const noise = options.noise ?? 0.1;
  const pts: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * g.uniform();
    const [px, py] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    pts.push([px + noise * normalFrom(g), py + noise * normalFrom(g)]);
    ys.push(label);
  }
  return build(pts, ys);
}

/** A small circle inside a large one; `factor` is the ratio of their radii. */
export function circles(options: ToyOptions & { factor?: number } = {}): Dataset {
  const n = count("circles", options.n, 200);
  const g = generator(options.seed);
  const noise = options.noise ?? 0.05;
  const factor = options.factor ?? 0.5;
  if (!(factor > 0 && factor < 1)) throw new GradlabError(`circles: factor must be in (0, 1), got ${factor}`);
  const pts: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = 2 * Math.PI * g.uniform();
    const r = label === 0 ? 1 : factor;
    pts.push([r * Math.cos(t) + noise * normalFrom(g), r * Math.sin(t) + noise * normalFrom(g)]);
    ys.push(label);
  }
  return build(pts, ys);
}

/** `classes` interleaved spiral arms of `n` points each (the CS231n spiral). */
export function spirals(options: ToyOptions & { classes?: number } = {}): Dataset {
  const n = count("spirals", options.n, 100);
  const k = count("spirals", options.classes, 3);
  const g = generator(options.seed);
  const noise = options.noise ?? 0.2;
  const pts: number[][] = [];
  const ys: number[] = [];
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      const r = n === 1 ? 0 : i / (n - 1);
      const t = (c * 4 + (4 * i) / Math.max(1, n - 1)) + noise * normalFrom(g);
      pts.push([r * Math.sin(t), r * Math.cos(t)]);
      ys.push(c);
    }
  }
  return build(pts, ys);
}

/** Gaussian clusters around `centers` random centres in [−5, 5]^features. */
export function blobs(options: ToyOptions & { centers?: number; features?: number; std?: number } = {}): Dataset {
  const n = count("blobs", options.n, 150);
  const k = count("blobs", options.centers, 3);
  const f = count("blobs", options.features, 2);
  const std = options.std ?? options.noise ?? 1;
  const g = generator(options.seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: f }, () => -5 + 10 * g.uniform()));
  const pts: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % k;
    pts.push(centres[c]!.map((m) => m + std * normalFrom(g)));
    ys.push(c);
  }
  return build(pts, ys);
}

/**
 * A noisy linear regression set: y = x·w + b + noise, x uniform in [−1, 1]. Returns the true
 * `w` and `b` too, so a lesson can compare what was learned.
 */
export function regression(options: ToyOptions & { features?: number; w?: number[]; b?: number } = {}): Dataset & { w: number[]; b: number } {
  const n = count("regression", options.n, 100);
  const f = count("regression", options.features, options.w?.length ?? 1);
  const g = generator(options.seed);
  const w = options.w ?? Array.from({ length: f }, () => Math.round((-3 + 6 * g.uniform()) * 10) / 10);
  if (w.length !== f) throw new GradlabError(`regression: w has ${w.length} entries but features is ${f}`);
  const b = options.b ?? 0.5;
  const noise = options.noise ?? 0.1;
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: f }, () => -1 + 2 * g.uniform());
    xs.push(row);
    ys.push([row.reduce((s, v, j) => s + v * w[j]!, b) + noise * normalFrom(g)]);
  }
  return { x: tensor(xs), y: tensor(ys), w, b };
}
