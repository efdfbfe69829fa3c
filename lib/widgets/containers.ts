import { GradlabError } from "../tensor/errors.js";
import { escapeHtml, type MimeBundle } from "../display/sink.js";
import { CONTROLS, OUTPUT } from "./host.js";
import { Layout, ref, Widget } from "./widget.js";

/** Widgets side by side (HBox) or one above the other (VBox). */
abstract class Box extends Widget {
  readonly layout: Layout;
  readonly children: readonly Widget[];

  protected constructor(private readonly kind: "HBox" | "VBox", children: readonly Widget[]) {
    if (!Array.isArray(children) || children.some((c) => !(c instanceof Widget))) {
      throw new GradlabError(`${kind}: pass an array of widgets, e.g. new widgets.${kind}([slider, output])`);
    }
    const layout = new Layout();
    super({ model: `${kind}Model`, view: `${kind}View`, module: CONTROLS }, { children: children.map(ref), box_style: "", layout: ref(layout) });
    this.layout = layout;
    this.children = [...children];
  }

  describe(): string {
    return `${this.kind}(${this.children.map((c) => c.describe()).join(", ")})`;
  }

  override fallbackHtml(): string {
    const dir = this.kind === "HBox" ? "row" : "column";
    return `<div class="gradlab-widget" style="display:flex;flex-direction:${dir};gap:6px">${this.children.map((c) => c.fallbackHtml()).join("")}</div>`;
  }
}

export class HBox extends Box {
  constructor(children: readonly Widget[]) {
    super("HBox", children);
  }
}

export class VBox extends Box {
  constructor(children: readonly Widget[]) {
    super("VBox", children);
  }
}

/** An output as nbformat stores it (what the frontend's Output widget renders). */
export type OutputRecord =
  | { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

const DISPLAY = Symbol.for("Jupyter.display");
/** Where the kernel sends what a cell displays or prints while an Output captures it. */
export const OUTPUT_CAPTURE = Symbol.for("gradlab.outputCapture");

/** The MIME bundle of any value, as the kernel would show it (text for plain values). */
export async function bundleFor(value: unknown): Promise<MimeBundle> {
  const method = value !== null && (typeof value === "object" || typeof value === "function") ? (value as Record<symbol, unknown>)[DISPLAY] : undefined;
  if (typeof method === "function") return (await (method as () => MimeBundle | Promise<MimeBundle>).call(value)) as MimeBundle;
  return { "text/plain": typeof value === "string" ? value : safeText(value) };
}

function safeText(value: unknown): string {
  try {
    return value === undefined ? "undefined" : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    return String(value);
  }
}

/**
 * A place in a widget layout that shows outputs: `output.display(x)` adds one, `output.clear()`
 * empties it, and while `output.capture(fn)` runs, what `fn` displays or prints lands here.
 */
export class Output extends Widget {
  readonly layout: Layout;

  constructor() {
    const layout = new Layout();
    super({ model: "OutputModel", view: "OutputView", module: OUTPUT }, { outputs: [], msg_id: "", layout: ref(layout) });
    this.layout = layout;
  }

  get outputs(): readonly OutputRecord[] {
    return this.state["outputs"] as OutputRecord[];
  }

  /** Replaces everything shown (one update to the page). */
  setOutputs(outputs: readonly OutputRecord[]): void {
    this.setAttrs({ outputs: [...outputs] });
  }

  append(record: OutputRecord): void {
    this.setOutputs([...this.outputs, record]);
  }

  async display(value: unknown): Promise<void> {
    this.append({ output_type: "display_data", data: await bundleFor(value), metadata: {} });
  }

  clear(): void {
    this.setOutputs([]);
  }

  /** Runs `fn`; what it displays or prints meanwhile (through the kernel) goes into this output. */
  capture<T>(fn: () => T): T {
    const g = globalThis as Record<symbol, unknown>;
    const previous = g[OUTPUT_CAPTURE];
    g[OUTPUT_CAPTURE] = (record: OutputRecord) => this.append(record);
    const restore = () => {
      g[OUTPUT_CAPTURE] = previous;
    };
    let result: T;
    try {
      result = fn();
    } catch (e) {
      restore();
      throw e;
    }
    const maybe = result as unknown;
    if (maybe && typeof (maybe as Promise<unknown>).then === "function") return (maybe as Promise<unknown>).finally(restore) as unknown as T;
    restore();
    return result;
  }

  describe(): string {
    return `Output(${this.outputs.length} output${this.outputs.length === 1 ? "" : "s"})`;
  }

  /** Without a widget manager, the outputs themselves: HTML where they have it, else text. */
  override fallbackHtml(): string {
    const parts = this.outputs.map((o) => {
      if (o.output_type === "stream") return `<pre>${escapeHtml(o.text)}</pre>`;
      if (o.output_type === "error") return `<pre style="color:#b00">${escapeHtml(`${o.ename}: ${o.evalue}`)}</pre>`;
      const html = o.data["text/html"];
      return typeof html === "string" ? html : `<pre>${escapeHtml(String(o.data["text/plain"] ?? ""))}</pre>`;
    });
    return `<div class="gradlab-widget gradlab-output">${parts.join("")}</div>`;
  }
}
