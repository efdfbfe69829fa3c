import { Tensor } from "../tensor/tensor.js";
import { linspace } from "../tensor/creation.js";
import { GradlabError } from "../tensor/errors.js";
import { grad } from "../autograd/functional.js";
import { noGrad } from "../autograd/mode.js";
import { Figure, type FigureOptions } from "./figure.js";
import { fmt, numbers } from "./values.js";

export type Fn1 = (x: Tensor) => Tensor;

export interface FnOptions extends FigureOptions {
  from?: number;
  to?: number;
  samples?: number;
  /** Also draw the derivative, computed by autograd. */
  derivative?: boolean;
  name?: string;
}

function label(f: Fn1, given?: string): string {
  return given ?? (f.name && f.name !== "anonymous" ? f.name : "f");
}

/** Values of an elementwise f, and of its derivative (autograd of Σf, which is f′ pointwise). */
function evaluate(f: Fn1, x: Tensor, derivative: boolean): { y: Tensor; dy: Tensor | null } {
  const y = noGrad(() => f(x));
  if (!(y instanceof Tensor)) throw new GradlabError("plot.fn: the function must return a Tensor (use tensor ops like x.mul(2))");
  if (y.shape.length !== 1 || y.shape[0] !== x.shape[0]) {
    throw new GradlabError(`plot.fn: the function must work elementwise (input [${x.shape[0]}] → output [${x.shape[0]}]), got [${y.shape.join(",")}]`);
  }
  const dy = derivative ? grad((t: Tensor) => f(t).sum())(x) : null;
  return { y, dy };
}

function grid(op: string, o: FnOptions): Tensor {
  const from = o.from ?? -10;
  const to = o.to ?? 10;
  const samples = o.samples ?? 100;
  if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) throw new GradlabError(`${op}: need from < to, got ${from} and ${to}`);
  if (!Number.isInteger(samples) || samples < 2) throw new GradlabError(`${op}: samples must be a whole number ≥ 2, got ${samples}`);
  return linspace(from, to, samples);
}

/** f on [from, to] with `samples` points, and with `derivative: true` its autograd derivative beside it. */
export function fn(f: Fn1, options: FnOptions = {}): Figure {
  return functions([{ f, name: options.name }], options);
}

/** Several functions on one plot (each with its derivative when asked). */
export function functions(fs: (Fn1 | { f: Fn1; name?: string })[], options: FnOptions = {}): Figure {
  if (!Array.isArray(fs) || fs.length === 0) throw new GradlabError("plot.functions: give an array of functions");
  const list = fs.map((e) => (typeof e === "function" ? { f: e, name: undefined } : e));
  list.forEach(({ f }, i) => {
    if (typeof f !== "function") throw new GradlabError(`plot.functions: entry ${i} is not a function`);
  });
  const x = grid("plot.fn", options);
  const derivative = options.derivative ?? false;
  // Evaluated now, so a mistake in f is reported at the call, not at display time.
  const evaluated = list.map(({ f, name }) => ({ name: label(f, name), ...evaluate(f, x, derivative) }));
  return new Figure("function", async () => {
    const xs = await numbers(x, "x");
    const data: Record<string, unknown>[] = [];
    for (const [i, e] of evaluated.entries()) {
      const color = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"][i % 8];
      data.push({ type: "scatter", mode: "lines", x: xs, y: await numbers(e.y, "y"), name: `${e.name}(x)`, line: { color, width: 2.5 } });
      if (e.dy) data.push({ type: "scatter", mode: "lines", x: xs, y: await numbers(e.dy, "dy"), name: `${e.name}′(x)`, line: { color, width: 2, dash: "dash" } });
    }
    const names = evaluated.map((e) => e.name).join(", ");
    return {
      data,
      layout: { xaxis: { title: { text: "x" } }, legend: { orientation: "h", y: -0.15 } },
      summary: `${names}${derivative ? " and derivative" + (evaluated.length > 1 ? "s" : "") : ""} on [${fmt(xs[0]!)}, ${fmt(xs[xs.length - 1]!)}], ${xs.length} samples`,
    };
  }, { ...options, legend: options.legend ?? true });
}
