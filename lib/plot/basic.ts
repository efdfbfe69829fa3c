import { Tensor } from "../tensor/tensor.js";
import { GradlabError } from "../tensor/errors.js";
import { Figure, type FigureOptions } from "./figure.js";
import { countOf, fmt, isValues, numbers, rows, spanText, type Values } from "./values.js";

export interface Series {
  x?: Values;
  y: Values;
  name?: string;
}

function isSeriesList(v: unknown): v is Series[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === "object" && v[0] !== null && !Array.isArray(v[0]) && "y" in (v[0] as object);
}

/**
 * Line chart: `line(y)`, `line(x, y)`, or `line([{ x, y, name }, …])` for several curves.
 * Values are tensors or number arrays.
 */
export function line(a: Values | Series[], b?: Values | FigureOptions, c?: FigureOptions): Figure {
  let series: Series[];
  let opts: FigureOptions;
  if (isSeriesList(a)) {
    series = a;
    opts = (b as FigureOptions) ?? {};
  } else if (isValues(b)) {
    series = [{ x: a as Values, y: b }];
    opts = c ?? {};
  } else {
    series = [{ y: a as Values }];
    opts = (b as FigureOptions) ?? {};
  }
  if (!series.every((s) => isValues(s.y))) throw new GradlabError("plot.line: y must be a Tensor or an array of numbers");
  for (const s of series) {
    if (s.x !== undefined && isValues(s.x) && countOf(s.x) !== countOf(s.y)) {
      throw new GradlabError(`plot.line: x has ${countOf(s.x)} values but y has ${countOf(s.y)}${series.length > 1 ? ` (series "${s.name ?? series.indexOf(s) + 1}")` : ""}`);
    }
  }
  return new Figure("line", async () => {
    const data = await Promise.all(
      series.map(async (s, i) => {
        const y = await numbers(s.y, "y");
        const x = s.x !== undefined ? await numbers(s.x, "x") : y.map((_, k) => k);
        if (x.length !== y.length) throw new GradlabError(`plot.line: x has ${x.length} values but y has ${y.length}`);
        return { type: "scatter", mode: "lines", x, y, name: s.name ?? `series ${i + 1}` };
      }),
    );
    return { data, summary: `${data.length} line${data.length > 1 ? "s" : ""}, ${data[0]!.y.length} points, y ${spanText(data.flatMap((d) => d.y))}` };
  }, opts);
}

export interface ScatterOptions extends FigureOptions {
  /** Class of each point (int32 tensor or numbers): one colour per class. */
  labels?: Values;
}

/** Scatter plot of points: `scatter(x, y)` or `scatter(points)` with points an [n, 2] tensor. */
export function scatter(x: Values, y?: Values | ScatterOptions, options?: ScatterOptions): Figure {
  const opts = (isValues(y) ? options : y) ?? {};
  const yValues = isValues(y) ? y : undefined;
  if (yValues !== undefined && isValues(x) && countOf(x) !== countOf(yValues)) {
    throw new GradlabError(`plot.scatter: x has ${countOf(x)} values but y has ${countOf(yValues)}`);
  }
  const points = yValues === undefined ? (x instanceof Tensor && x.ndim === 2 ? x.shape[0]! : undefined) : countOf(x);
  if (points !== undefined && opts.labels !== undefined && isValues(opts.labels) && countOf(opts.labels) !== points) {
    throw new GradlabError(`plot.scatter: ${countOf(opts.labels)} labels for ${points} points`);
  }
  return new Figure("scatter", async () => {
    let xs: number[];
    let ys: number[];
    if (yValues === undefined) {
      if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== 2) {
        throw new GradlabError("plot.scatter: with one argument, pass an [n, 2] tensor of points");
      }
      const r = await rows(x, "points");
      xs = r.map((p) => p[0]!);
      ys = r.map((p) => p[1]!);
    } else {
      xs = await numbers(x, "x");
      ys = await numbers(yValues, "y");
    }
    if (xs.length !== ys.length) throw new GradlabError(`plot.scatter: x has ${xs.length} values but y has ${ys.length}`);
    const marker = { size: 7, line: { width: 0.5, color: "#333" } };
    if (!opts.labels) return { data: [{ type: "scatter", mode: "markers", x: xs, y: ys, marker, name: "points" }], summary: `${xs.length} points` };
    const labels = await numbers(opts.labels, "labels");
    if (labels.length !== xs.length) throw new GradlabError(`plot.scatter: ${labels.length} labels for ${xs.length} points`);
    const classes = [...new Set(labels)].sort((p, q) => p - q);
    const data = classes.map((c) => {
      const idx = labels.flatMap((l, i) => (l === c ? [i] : []));
      return { type: "scatter", mode: "markers", x: idx.map((i) => xs[i]), y: idx.map((i) => ys[i]), marker, name: `class ${c}` };
    });
    return { data, summary: `${xs.length} points in ${classes.length} classes` };
  }, opts);
}

/** Histogram of a tensor's values. */
export function histogram(values: Values, options: FigureOptions & { bins?: number } = {}): Figure {
  const bins = options.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1) throw new GradlabError(`plot.histogram: bins must be a whole number ≥ 1, got ${bins}`);
  return new Figure("histogram", async () => {
    const xs = await numbers(values, "values");
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      data: [{ type: "histogram", x: xs, nbinsx: bins, marker: { color: "#1f77b4", line: { color: "#fff", width: 1 } }, name: "count" }],
      layout: { bargap: 0.02, yaxis: { title: { text: "count" } } },
      summary: `histogram of ${xs.length} values ${spanText(xs)}${xs.length > 0 ? `, mean ${fmt(mean)}` : ""}`,
    };
  }, options);
}

/** A 2-D tensor as a colour grid (row 0 at the top, like a matrix). */
export function heatmap(t: Tensor, options: FigureOptions & { colorscale?: string } = {}): Figure {
  if (!(t instanceof Tensor) || t.ndim !== 2) throw new GradlabError("plot.heatmap: pass a 2-D tensor");
  return new Figure("heatmap", async () => {
    const z = await rows(t, "heatmap");
    return {
      data: [{ type: "heatmap", z, colorscale: options.colorscale ?? "Viridis" }],
      layout: { yaxis: { autorange: "reversed" } },
      summary: `heatmap ${t.shape[0]}×${t.shape[1]}, values ${spanText(z.flat())}`,
    };
  }, options);
}

/** A grid of images (e.g. digits): one row of `t` per image, or [n, h, w]. */
export function images(t: Tensor, options: FigureOptions & { labels?: Values; cols?: number; imageShape?: [number, number] } = {}): Figure {
  if (!(t instanceof Tensor) || (t.ndim !== 2 && t.ndim !== 3)) throw new GradlabError("plot.images: pass [n, h·w] or [n, h, w] images");
  const [h, w] = t.ndim === 3 ? [t.shape[1]!, t.shape[2]!] : (options.imageShape ?? [28, 28]);
  const n = t.shape[0]!;
  if (t.ndim === 2 && t.shape[1] !== h * w) {
    throw new GradlabError(`plot.images: rows of ${t.shape[1]} values are not ${h}×${w} images; pass imageShape`);
  }
  if (options.labels !== undefined && isValues(options.labels) && countOf(options.labels) !== n) {
    throw new GradlabError(`plot.images: ${countOf(options.labels)} labels for ${n} images (one label per image)`);
  }
  const cols = Math.min(options.cols ?? 10, n);
  const gridRows = Math.ceil(n / cols);
  return new Figure("images", async () => {
    const flat = await numbers(t, "images");
    const labels = options.labels ? await numbers(options.labels, "labels") : null;
    // One mosaic with a 1-pixel gap: one trace however many images (64 subplots would be slow).
    const H = gridRows * (h + 1) - 1;
    const W = cols * (w + 1) - 1;
    const z: (number | null)[][] = Array.from({ length: H }, () => new Array<number | null>(W).fill(null));
    for (let k = 0; k < n; k++) {
      const r0 = Math.floor(k / cols) * (h + 1);
      const c0 = (k % cols) * (w + 1);
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) z[r0 + i]![c0 + j] = flat[k * h * w + i * w + j]!;
    }
    const annotations = labels
      ? labels.slice(0, n).map((l, k) => ({ x: (k % cols) * (w + 1) + 1, y: Math.floor(k / cols) * (h + 1) + 1, text: String(l), showarrow: false, font: { color: "#d62728", size: 12 }, xanchor: "left", yanchor: "top" }))
      : [];
    return {
      data: [{ type: "heatmap", z, colorscale: "Greys", reversescale: false, showscale: false, hoverinfo: "skip" }],
      layout: {
        height: Math.min(900, 40 + gridRows * Math.max(40, 600 / cols)),
        xaxis: { visible: false, scaleanchor: "y" },
        yaxis: { visible: false, autorange: "reversed" },
        annotations,
        margin: { l: 10, r: 10, t: 40, b: 10 },
      },
      summary: `${n} images of ${h}×${w}${labels ? " with labels" : ""}`,
    };
  }, options);
}
