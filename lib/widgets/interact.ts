import { GradlabError } from "../tensor/errors.js";
import { bundleFor, Output, VBox } from "./containers.js";
import { Selection, ValueWidget } from "./controls.js";
import { widgetHost } from "./host.js";
import type { Widget } from "./widget.js";

type Controls = Record<string, ValueWidget<unknown>>;
type ValuesOf<C extends Controls> = { [K in keyof C]: C[K]["value"] };

/** What `interact` returns: the whole panel (controls above the result), with a way to re-run. */
export class Interactive<C extends Controls> extends VBox {
  private running = false;
  private again = false;
  private readonly output: Output;
  /** Settles when the run in progress (and any it must be followed by) is over. */
  idle: Promise<void> = Promise.resolve();

  constructor(private readonly fn: (values: ValuesOf<C>) => unknown, readonly controls: C, output: Output) {
    super([...(Object.values(controls) as Widget[]), output]);
    this.output = output;
  }

  /** The controls' current values. */
  values(): ValuesOf<C> {
    const out = {} as Record<string, unknown>;
    for (const [k, w] of Object.entries(this.controls)) out[k] = w.value;
    return out as ValuesOf<C>;
  }

  /**
   * Runs `fn` with the current values and shows its result. A change that arrives while a run is
   * going only marks that another run is due: when the run ends, one more runs with the latest
   * values, so a fast drag never queues a run per step of the slider.
   */
  update(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.idle;
    }
    this.running = true;
    const host = widgetHost();
    this.idle = new Promise<void>((resolve) => {
      const loop = async (): Promise<void> => {
        do {
          this.again = false;
          await this.runOnce();
        } while (this.again);
        this.running = false;
        resolve();
      };
      if (host?.schedule) host.schedule(loop);
      else void loop();
    });
    return this.idle;
  }

  private async runOnce(): Promise<void> {
    try {
      const values = this.values();
      const host = widgetHost();
      const result = await (host?.guard ? host.guard(() => this.fn(values)) : this.fn(values));
      await this.show(result);
    } catch (e) {
      // The error shows where the result would, and the controls keep working.
      const err = e instanceof Error ? e : new Error(String(e));
      this.output.setOutputs([{ output_type: "error", ename: err.name, evalue: err.message, traceback: [`${err.name}: ${err.message}`] }]);
    }
  }

  private async show(result: unknown): Promise<void> {
    if (result === undefined) {
      this.output.setOutputs([]);
      return;
    }
    this.output.setOutputs([{ output_type: "display_data", data: await bundleFor(result), metadata: {} }]);
  }

  override describe(): string {
    // A selection's value may be anything (a function, say): its label is what the student picked.
    const shown = (w: ValueWidget<unknown>) => (w instanceof Selection ? JSON.stringify(w.label) : (JSON.stringify(w.value) ?? String(w.value)));
    return `interact(${Object.entries(this.controls).map(([k, w]) => `${k}=${shown(w)}`).join(", ")})`;
  }
}

/**
 * Shows `controls` and what `fn` returns for their values (a figure, a tensor, text: anything
 * displayable), and runs `fn` again whenever a control moves, replacing the result in place.
 * Where no widget manager runs (`gradlab run`, nbconvert, GitHub) the notebook keeps the result
 * for the initial values. Await it to have that first result shown before the cell goes on.
 */
export async function interact<C extends Controls>(fn: (values: ValuesOf<C>) => unknown, controls: C): Promise<Interactive<C>> {
  if (typeof fn !== "function") throw new GradlabError("interact: pass a function of the controls' values first, e.g. interact(({ lr }) => …, { lr: slider })");
  if (!controls || typeof controls !== "object") throw new GradlabError("interact: pass the controls as an object { name: widget }");
  for (const [k, w] of Object.entries(controls)) {
    if (!(w instanceof ValueWidget)) throw new GradlabError(`interact: control ${JSON.stringify(k)} is not a value widget (a slider, dropdown, checkbox, text or play)`);
  }
  const panel = new Interactive(fn, controls, new Output());
  for (const w of Object.values(controls)) w.observe(() => void panel.update(), "value");
  // The first result runs now, in the cell, so that it is there when the cell's output is saved.
  await runNow(panel);
  return panel;
}

async function runNow<C extends Controls>(panel: Interactive<C>): Promise<void> {
  const g = panel as unknown as { running: boolean; runOnce(): Promise<void> };
  g.running = true;
  try {
    await g.runOnce();
  } finally {
    g.running = false;
  }
}
