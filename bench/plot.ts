import { F, manualSeed, nn, optim, plot, data, train, type Tensor } from "../lib/index.js";
import type { Figure } from "../lib/plot/figure.js";
import { DISPLAY_SINK } from "../lib/display/sink.js";
import type { Result } from "./workloads.js";

/** Issue 5: a 100-point function plot (value + autograd derivative, full MIME bundle) after the first. */
export async function plotLatency(): Promise<Result> {
  await plot.fn(F.sigmoid, { derivative: true }).mimeBundle();
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await plot.fn(F.tanh, { derivative: true, samples: 100 }).mimeBundle();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[10]!;
  return { name: "plot.fn 100 points + derivative, after the first", value: ms, unit: "ms", target: "≤ 50 ms", met: ms <= 50 };
}

/** Issue 5: what the notebook's progress bar and live loss curve add to a training run. */
export async function liveCurveOverhead(): Promise<Result> {
  const ds = data.spirals({ n: 200, seed: 1 });
  const run = async () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(2, 64, { activation: "relu" }), new nn.Linear(64, 3));
    const t0 = performance.now();
    await train.fit(model, ds, { epochs: 30, batchSize: 32, optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }) });
    return performance.now() - t0;
  };
  const g = globalThis as Record<symbol, unknown>;
  // A sink that does what the kernel does with a bundle short of sending it: build it fully.
  const sink = { display: (b: Record<string, unknown>) => void JSON.stringify(b), update: (_id: string, b: Record<string, unknown>) => void JSON.stringify(b) };
  const plain: number[] = [];
  const shown: number[] = [];
  for (let i = 0; i < 5; i++) {
    delete g[DISPLAY_SINK];
    plain.push(await run());
    g[DISPLAY_SINK] = sink;
    shown.push(await run());
  }
  delete g[DISPLAY_SINK];
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const pct = (median(shown) / median(plain) - 1) * 100;
  return { name: "fit with progress bar + live curve, overhead", value: pct, unit: "%", target: "≤ 5 %", met: pct <= 5 };
}

/**
 * Issue 27: the static SVG beside every figure, for the largest figure of each kind a lesson
 * makes (a 100×100 contour with a path, 20 digits, a decision boundary, a function plot):
 * its size and the time to render it after the first (median of 15).
 */
export async function svgFigures(): Promise<Result[]> {
  manualSeed(0);
  const bowl = (x: Tensor, y: Tensor) => x.square().mul(0.5).add(y.square().mul(2));
  const digits = await data.digits({ perClass: 2 });
  const moons = data.moons({ n: 200, noise: 0.15, seed: 2 });
  const model = new nn.Sequential(new nn.Linear(2, 16, { activation: "tanh" }), new nn.Linear(16, 2));
  const make: Record<string, () => Figure> = {
    "fn + derivative": () => plot.fn(F.tanh, { derivative: true, samples: 200 }),
    "contour + path": () => plot.contour(bowl, { paths: [plot.descentPath(bowl, { start: [-1.5, 1], optimizer: (p) => new optim.SGD(p, { lr: 0.2 }), steps: 30 })] }),
    "images, 20 digits": () => plot.images(digits.x, { labels: digits.y }),
    "decision boundary": () => plot.decisionBoundary(model, moons.x, moons.y),
  };
  const out: Result[] = [];
  for (const [name, f] of Object.entries(make)) {
    const svg = await f().svg();
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const fig = f();
      await fig.spec();
      const t0 = performance.now();
      await fig.svg();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const ms = times[7]!;
    const kb = svg.length / 1024;
    out.push({ name: `static SVG of ${name}: ${kb.toFixed(0)} KB`, value: ms, unit: "ms", target: "≤ 20 ms and ≤ 100 KB", met: ms <= 20 && kb <= 100 });
  }
  return out;
}
