import { GradlabError } from "../tensor/errors.js";
import { displaySink, newDisplayId, escapeHtml, type DisplaySink } from "../display/sink.js";
import type { Callbacks, EpochLogs, TrainInfo } from "../train/callbacks.js";
import type { History } from "../train/history.js";
import { Figure, type FigureOptions } from "./figure.js";
import { fmt } from "./values.js";

type Curves = Record<string, number[]>;

function curveFigure(kind: string, curves: Curves, xs: number[] | null, options: FigureOptions): Figure {
  return new Figure(kind, async () => {
    const names = Object.keys(curves).filter((k) => curves[k]!.length > 0);
    const data = names.map((k) => {
      const ys = curves[k]!;
      return { type: "scatter", mode: ys.length > 40 ? "lines" : "lines+markers", x: xs ?? ys.map((_, i) => i + 1), y: ys, name: k };
    });
    const last = names.map((k) => `${k} ${fmt(curves[k]!.at(-1)!)}`).join(", ");
    return { data, summary: names.length ? `${curves[names[0]!]!.length} points; last: ${last}` : "no points yet" };
  }, options);
}

/** Training and validation loss per epoch from a History (or `{ loss, valLoss }`). */
export function loss(history: History | { loss: number[]; valLoss?: number[] }, options: FigureOptions = {}): Figure {
  if (!history || !Array.isArray(history.loss)) throw new GradlabError("plot.loss: pass the History returned by train.fit (or { loss, valLoss })");
  const curves: Curves = { loss: [...history.loss] };
  if (history.valLoss?.length) curves["valLoss"] = [...history.valLoss];
  return curveFigure("loss", curves, null, { xlabel: "epoch", ylabel: "loss", ...options });
}

/**
 * A chart that grows in place: `const live = plot.live(); live.push({ loss })` in a loop.
 * In a notebook each push updates the same output (at most every `minInterval` ms; `done()`
 * draws the final state). Outside a notebook it just collects points for `figure()`.
 */
export class LivePlot {
  private readonly curves: Curves = {};
  private readonly xs: number[] = [];
  private readonly id = newDisplayId("gradlab-live");
  private shown = false;
  private lastDraw = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly options: FigureOptions & { minInterval?: number } = {}, private readonly sink: DisplaySink | null = displaySink()) {}

  push(values: Record<string, number>, x?: number): void {
    if (!values || typeof values !== "object") throw new GradlabError("live.push: pass named values, e.g. { loss: 0.5 }");
    const n = this.xs.length;
    this.xs.push(x ?? n + 1);
    for (const [k, v] of Object.entries(values)) {
      const c = (this.curves[k] ??= new Array<number>(n).fill(NaN));
      c.push(Number(v));
    }
    for (const c of Object.values(this.curves)) if (c.length < this.xs.length) c.push(NaN);
    const now = performance.now();
    if (!this.shown || now - this.lastDraw >= (this.options.minInterval ?? 250)) this.draw();
  }

  /** Draws the final state (call after the loop). Resolves when the output has been sent. */
  async done(): Promise<void> {
    this.draw();
    await this.pending;
  }

  figure(): Figure {
    return curveFigure("live", structuredClone(this.curves), [...this.xs], { xlabel: "step", ...this.options });
  }

  private draw(): void {
    if (!this.sink) return;
    this.lastDraw = performance.now();
    const sink = this.sink;
    const first = !this.shown;
    this.shown = true;
    const fig = this.figure();
    this.pending = this.pending.then(async () => {
      const bundle = await fig.mimeBundle(newDisplayId("gradlab-plot"));
      if (first) await sink.display(bundle, { id: this.id });
      else await sink.update(this.id, bundle);
    });
  }
}

export function live(options: FigureOptions & { minInterval?: number } = {}): LivePlot {
  return new LivePlot(options);
}

function progressBundle(text: string, fraction: number): Record<string, unknown> {
  const width = 30;
  const filled = Math.round(fraction * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  return {
    "text/plain": `${bar} ${Math.round(fraction * 100)}%  ${text}`,
    "text/html": `<div style="font-family:monospace;font-size:13px"><progress value="${fraction.toFixed(4)}" max="1" style="width:240px;vertical-align:middle"></progress> ${Math.round(fraction * 100)}% · ${escapeHtml(text)}</div>`,
  };
}

function seconds(s: number): string {
  return s < 60 ? `${Math.round(s)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

/**
 * What `train.fit` shows in a notebook: a progress bar (epoch, batch, loss, ETA) and a live loss
 * curve, each one output updated in place at most a few times a second.
 */
export function fitDisplay(sink: DisplaySink, minInterval = 300): Callbacks {
  const barId = newDisplayId("gradlab-progress");
  let info: TrainInfo;
  let t0 = 0;
  let last = 0;
  let epoch = 0;
  let curve: LivePlot;
  const update = (text: string, fraction: number, force: boolean) => {
    const now = performance.now();
    if (!force && now - last < minInterval) return;
    last = now;
    return sink.update(barId, progressBundle(text, fraction));
  };
  return {
    async onTrainBegin(i) {
      info = i;
      t0 = performance.now();
      curve = new LivePlot({ title: "loss", xlabel: "epoch", ylabel: "loss", minInterval }, sink);
      await sink.display(progressBundle(`epoch 1/${i.epochs}`, 0), { id: barId });
    },
    onEpochBegin(e) {
      epoch = e;
    },
    async onBatchEnd(l) {
      const done = epoch * info.batchesPerEpoch + l.batch + 1;
      const total = info.epochs * info.batchesPerEpoch;
      const elapsed = (performance.now() - t0) / 1000;
      const eta = (elapsed / done) * (total - done);
      await update(`epoch ${epoch + 1}/${info.epochs} · batch ${l.batch + 1}/${info.batchesPerEpoch} · loss ${fmt(l.loss)} · ETA ${seconds(eta)}`, done / total, false);
    },
    onEpochEnd(l: EpochLogs) {
      curve.push(l.valLoss !== undefined ? { loss: l.loss, valLoss: l.valLoss } : { loss: l.loss });
    },
    async onTrainEnd(h) {
      const acc = h.accuracy.length ? ` · accuracy ${fmt(h.accuracy.at(-1)!)}` : "";
      const val = h.valLoss.length ? ` · valLoss ${fmt(h.valLoss.at(-1)!)}` : "";
      await update(`${h.epochs} epochs in ${seconds((performance.now() - t0) / 1000)} · loss ${fmt(h.loss.at(-1) ?? NaN)}${val}${acc}${h.stoppedEarly ? " · stopped early" : ""}`, 1, true);
      await curve.done();
    },
  };
}
