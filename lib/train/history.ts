import { loss as lossFigure } from "../plot/training.js";

/** Per-epoch record of a training run; `fit` returns it. */
export class History {
  readonly loss: number[] = [];
  readonly valLoss: number[] = [];
  readonly accuracy: number[] = [];
  readonly valAccuracy: number[] = [];
  readonly lr: number[] = [];
  readonly seconds: number[] = [];
  stoppedEarly = false;
  /** Epoch (0-based) with the best monitored loss, when early stopping ran. */
  bestEpoch: number | null = null;

  get epochs(): number {
    return this.loss.length;
  }

  toString(): string {
    const has = (a: number[]) => a.length === this.loss.length && a.length > 0;
    const cols: [string, number[]][] = [["loss", this.loss]];
    if (has(this.valLoss)) cols.push(["valLoss", this.valLoss]);
    if (has(this.accuracy)) cols.push(["accuracy", this.accuracy]);
    if (has(this.valAccuracy)) cols.push(["valAccuracy", this.valAccuracy]);
    const n = this.loss.length;
    const pick = n <= 10 ? [...Array(n).keys()] : [0, 1, 2, -1, n - 3, n - 2, n - 1];
    const lines = [["epoch", ...cols.map(([c]) => c)].map((s) => s.padStart(13)).join("")];
    for (const i of pick) {
      if (i < 0) lines.push("          ...");
      else lines.push([String(i + 1), ...cols.map(([, v]) => v[i]!.toFixed(4))].map((s) => s.padStart(13)).join(""));
    }
    const end = this.stoppedEarly ? `stopped early; best epoch ${this.bestEpoch! + 1}` : `${n} epochs`;
    return `History (${end})\n${lines.join("\n")}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** In a notebook a history shows as its loss curve (with the table as plain text). */
  async [Symbol.for("Jupyter.display")](): Promise<Record<string, unknown>> {
    const bundle = await lossFigure(this, { title: "training history" }).mimeBundle();
    return { ...bundle, "text/plain": this.toString() };
  }
}
