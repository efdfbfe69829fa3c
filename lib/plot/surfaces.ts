import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/creation.js";
import { GradlabError } from "../tensor/errors.js";
import { cpuBackend } from "../backend/registry.js";
import { noGrad } from "../autograd/mode.js";
import { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import { Figure, type FigureOptions } from "./figure.js";
import { countOf, fmt, isValues, numbers, range, rows, type Values } from "./values.js";

export type Fn2 = (x: Tensor, y: Tensor) => Tensor;

export interface Path {
  name: string;
  points: [number, number][];
}

export interface SurfaceOptions extends FigureOptions {
  x?: [number, number];
  y?: [number, number];
  /** Grid points per axis. */
  samples?: number;
  paths?: Path[];
}

function gridValues(op: string, f: Fn2, o: SurfaceOptions): { xs: number[]; ys: number[]; z: Tensor } {
  const [x0, x1] = o.x ?? [-2, 2];
  const [y0, y1] = o.y ?? [-2, 2];
  const n = o.samples ?? 60;
  if (!(x0 < x1 && y0 < y1)) throw new GradlabError(`${op}: ranges must be [low, high], got x ${o.x} and y ${o.y}`);
  const xs = Array.from({ length: n }, (_, j) => x0 + ((x1 - x0) * j) / (n - 1));
  const ys = Array.from({ length: n }, (_, i) => y0 + ((y1 - y0) * i) / (n - 1));
  // Rows follow y, columns follow x: z[i][j] = f(x_j, y_i), plotly's layout for contour z.
  const X = tensor(xs).reshape(1, n).expand(n, n);
  const Y = tensor(ys).reshape(n, 1).expand(n, n);
  const z = noGrad(() => f(X, Y));
  if (!(z instanceof Tensor) || z.shape.join() !== `${n},${n}`) {
    throw new GradlabError(`${op}: f(x, y) must work elementwise on tensors (got shape [${z instanceof Tensor ? z.shape.join(",") : typeof z}] for [${n},${n}] inputs)`);
  }
  return { xs, ys, z };
}

function checkPaths(paths: Path[] | undefined): Path[] {
  for (const p of paths ?? []) {
    if (!p || !Array.isArray(p.points)) throw new GradlabError("plot: each path needs { name, points: [x, y][] }");
  }
  return paths ?? [];
}

function pathTraces(paths: Path[], heights?: number[][]): Record<string, unknown>[] {
  return paths.map((p, k) => {
    const x = p.points.map((q) => q[0]);
    const y = p.points.map((q) => q[1]);
    return heights
      ? { type: "scatter3d", mode: "lines+markers", x, y, z: heights[k], name: p.name, marker: { size: 3 }, line: { width: 5 } }
      : { type: "scatter", mode: "lines+markers", x, y, name: p.name, marker: { size: 5 }, line: { width: 2 } };
  });
}

/** Contour lines of f(x, y), with optional optimizer paths drawn on top. */
export function contour(f: Fn2, options: SurfaceOptions = {}): Figure {
  const { xs, ys, z } = gridValues("plot.contour", f, options);
  const paths = checkPaths(options.paths);
  return new Figure("contour", async () => {
    const zr = await rows(z, "f(x, y)");
    const [lo, hi] = range(zr.flat());
    const data = [
      { type: "contour", x: Array.from(xs), y: Array.from(ys), z: zr, colorscale: "Viridis", ncontours: 25, contours: { coloring: "heatmap" }, name: "f", showscale: true },
      ...pathTraces(paths),
    ];
    return {
      data,
      layout: { xaxis: { title: { text: "x" } }, yaxis: { title: { text: "y" } }, legend: { orientation: "h", y: -0.15 } },
      summary: `contour of f on x [${fmt(xs[0]!)}, ${fmt(xs.at(-1)!)}] × y [${fmt(ys[0]!)}, ${fmt(ys.at(-1)!)}], f in [${fmt(lo)}, ${fmt(hi)}]${options.paths?.length ? `, ${options.paths.length} path(s)` : ""}`,
    };
  }, { legend: (options.paths?.length ?? 0) > 0, ...options });
}

/** 3-D surface of f(x, y), with optional paths lifted onto it. */
export function surface(f: Fn2, options: SurfaceOptions = {}): Figure {
  const { xs, ys, z } = gridValues("plot.surface", f, options);
  const paths = checkPaths(options.paths);
  // Each path point lifted onto the surface: f at the point, evaluated as a batch per path.
  const lifted = paths.map((p) => noGrad(() => f(tensor(p.points.map((q) => q[0])), tensor(p.points.map((q) => q[1])))));
  return new Figure("surface", async () => {
    const zr = await rows(z, "f(x, y)");
    const heights = await Promise.all(lifted.map((t) => numbers(t, "path heights")));
    return {
      data: [{ type: "surface", x: Array.from(xs), y: Array.from(ys), z: zr, colorscale: "Viridis", opacity: 0.9, name: "f" }, ...pathTraces(paths, heights)],
      layout: { height: 520, scene: { xaxis: { title: { text: "x" } }, yaxis: { title: { text: "y" } }, zaxis: { title: { text: "f" } } } },
      summary: `surface of f over ${xs.length}×${ys.length} points${paths.length ? `, ${paths.length} path(s)` : ""}`,
    };
  }, options);
}

/** The points an optimizer visits minimising f(x, y) from `start` (for contour/surface `paths`). */
export function descentPath(
  f: Fn2,
  options: { start: [number, number]; optimizer: (params: Tensor[]) => Optimizer; steps?: number; name?: string },
): Path {
  const steps = options.steps ?? 50;
  if (!Array.isArray(options.start) || options.start.length !== 2) throw new GradlabError("plot.descentPath: start must be [x0, y0]");
  if (typeof options.optimizer !== "function") throw new GradlabError("plot.descentPath: optimizer must be a function (params) => new optim.SGD(params, { lr })");
  // A 2-D path is a few dozen scalar steps, each read back at once: the CPU does that best, on
  // every current backend (a GPU readback per step would need await). Scalar constants in f
  // follow their operand, so the whole path stays on the CPU.
  const p = Tensor.fromBuffer(cpuBackend(), cpuBackend().upload(Float32Array.from(options.start)), [2], "float32");
  p.requiresGrad = true;
  const opt = options.optimizer([p]);
  const points: [number, number][] = [[options.start[0], options.start[1]]];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const v = f(p.at(0), p.at(1));
    if (v.size !== 1) throw new GradlabError("plot.descentPath: f(x, y) must return one number for scalar x and y");
    v.backward();
    opt.step();
    const [a, b] = p.dataSync();
    if (!Number.isFinite(a!) || !Number.isFinite(b!)) break;
    points.push([a!, b!]);
  }
  return { name: options.name ?? opt.constructor.name, points };
}

const CLASS_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/** Predicted class per row: argmax of several outputs, or a threshold on one (0.5 for probabilities, 0 for logits). */
function classesOf(out: Tensor, values: number[]): number[] {
  if (out.ndim === 2 && out.shape[1]! > 1) return [];
  const probabilities = values.every((v) => v >= 0 && v <= 1);
  const threshold = probabilities ? 0.5 : 0;
  return values.map((v) => (v > threshold ? 1 : 0));
}

/** A 2-D classifier's predicted class over the plane, with the data points on top. */
export function decisionBoundary(
  model: Module | ((x: Tensor) => Tensor),
  x: Tensor,
  y: Values,
  options: FigureOptions & { resolution?: number; padding?: number } = {},
): Figure {
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== 2) throw new GradlabError("plot.decisionBoundary: x must be an [n, 2] tensor of points");
  if (isValues(y) && countOf(y) !== x.shape[0]) throw new GradlabError(`plot.decisionBoundary: ${countOf(y)} labels for ${x.shape[0]} points`);
  const res = options.resolution ?? 100;
  if (!Number.isInteger(res) || res < 2) throw new GradlabError(`plot.decisionBoundary: resolution must be a whole number ≥ 2, got ${res}`);
  const pad = options.padding ?? 0.5;
  const forward = (t: Tensor) => (model instanceof Module ? model.forward(t) : model(t));
  return new Figure("decision boundary", async () => {
    const pts = await rows(x, "x");
    const labels = await numbers(y, "y");
    if (labels.length !== pts.length) throw new GradlabError(`plot.decisionBoundary: ${labels.length} labels for ${pts.length} points`);
    const [x0, x1] = range(pts.map((p) => p[0]!));
    const [y0, y1] = range(pts.map((p) => p[1]!));
    const gx = Array.from({ length: res }, (_, j) => x0 - pad + ((x1 - x0 + 2 * pad) * j) / (res - 1));
    const gy = Array.from({ length: res }, (_, i) => y0 - pad + ((y1 - y0 + 2 * pad) * i) / (res - 1));
    const flat = new Float32Array(res * res * 2);
    for (let i = 0; i < res; i++) {
      for (let j = 0; j < res; j++) {
        flat[(i * res + j) * 2] = gx[j]!;
        flat[(i * res + j) * 2 + 1] = gy[i]!;
      }
    }
    const grid = tensor(flat).reshape(res * res, 2);
    const wasTraining = model instanceof Module && model.training;
    if (model instanceof Module) model.eval();
    let out: Tensor;
    try {
      out = noGrad(() => forward(grid));
    } finally {
      if (wasTraining && model instanceof Module) model.train();
    }
    let cls = classesOf(out, await numbers(out, "predictions"));
    if (cls.length === 0) cls = await numbers(noGrad(() => out.argmax(1)), "classes");
    const z = Array.from({ length: res }, (_, i) => cls.slice(i * res, (i + 1) * res));
    const classes = [...new Set([...labels, ...cls])].sort((a, b) => a - b);
    const maxClass = Math.max(1, classes.at(-1)!);
    const colorscale = classes.flatMap((c) => {
      const col = CLASS_COLORS[c % CLASS_COLORS.length]!;
      return [[c / maxClass, col], [c / maxClass, col]];
    });
    const region = { type: "heatmap", x: gx, y: gy, z, zmin: 0, zmax: maxClass, colorscale: classes.length > 1 ? colorscale : [[0, CLASS_COLORS[0]], [1, CLASS_COLORS[0]]], opacity: 0.3, showscale: false, hoverinfo: "skip", name: "predicted class" };
    const points = classes
      .filter((c) => labels.includes(c))
      .map((c) => {
        const idx = labels.flatMap((l, i) => (l === c ? [i] : []));
        return { type: "scatter", mode: "markers", x: idx.map((i) => pts[i]![0]), y: idx.map((i) => pts[i]![1]), name: `class ${c}`, marker: { color: CLASS_COLORS[c % CLASS_COLORS.length], size: 7, line: { width: 0.8, color: "#222" } } };
      });
    const correct = pts.filter((p, i) => {
      const j = Math.round(((p[0]! - gx[0]!) / (gx[res - 1]! - gx[0]!)) * (res - 1));
      const k = Math.round(((p[1]! - gy[0]!) / (gy[res - 1]! - gy[0]!)) * (res - 1));
      return z[k]![j] === labels[i];
    }).length;
    return {
      data: [region, ...points],
      layout: { xaxis: { title: { text: "x₁" } }, yaxis: { title: { text: "x₂" }, scaleanchor: "x" } },
      summary: `${classes.length} classes over a ${res}×${res} grid; ${pts.length} points, about ${Math.round((100 * correct) / pts.length)}% inside their class region`,
    };
  }, options);
}
