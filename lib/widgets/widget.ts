import { GradlabError } from "../tensor/errors.js";
import { escapeHtml, type MimeBundle } from "../display/sink.js";
import { BASE, widgetHost, type WidgetChannel, type WidgetMessage } from "./host.js";

/** What `observe` callbacks get: the attribute that changed, its old and new value. */
export interface Change<T = unknown> {
  name: string;
  old: T;
  new: T;
  owner: Widget;
}

// What an observer returns is ignored (a promise is awaited for its errors).
type Observer = (change: Change) => unknown;

/** A reference to another widget inside a state: "IPY_MODEL_<id>". */
export const ref = (w: Widget): string => `IPY_MODEL_${w.modelId}`;

let offline = 0;

/**
 * A Jupyter widget: a model whose state the kernel and the frontend keep in step. The state holds
 * the model's identity (`_model_name`, modules, versions) and its attributes; attributes left out
 * take the frontend's defaults. Subclasses validate what they accept, from user code and from the
 * frontend alike (a value outside a slider's range is an error from code, clamped from the page).
 */
export abstract class Widget {
  /** The frontend's id for this model (the comm id); a local one where there is no kernel. */
  readonly modelId: string;
  protected readonly state: Record<string, unknown>;
  private readonly observers: { names: Set<string> | null; fn: Observer }[] = [];
  private readonly channel: WidgetChannel | null;

  protected constructor(identity: { model: string; view: string | null; module?: { module: string; version: string }; viewModule?: { module: string; version: string } }, attrs: Record<string, unknown>) {
    const m = identity.module ?? BASE;
    const v = identity.viewModule ?? m;
    this.state = {
      _model_name: identity.model,
      _model_module: m.module,
      _model_module_version: m.version,
      _view_name: identity.view,
      _view_module: v.module,
      _view_module_version: v.version,
      ...attrs,
    };
    const host = widgetHost();
    this.channel = host ? host.open(this.syncedState(), (msg) => this.receive(msg)) : null;
    this.modelId = this.channel?.id ?? `local-${++offline}`;
  }

  /** Attributes as they go over the wire (kernel-only state stays out: see `syncedState`). */
  protected syncedState(): Record<string, unknown> {
    return { ...this.state };
  }

  /** Calls `fn` on every change of `names` (default: every attribute), from code or the frontend. */
  observe(fn: (change: Change) => unknown, names?: string | string[]): this {
    if (typeof fn !== "function") throw new GradlabError("observe: pass a function (change) => …");
    this.observers.push({ names: names === undefined ? null : new Set(Array.isArray(names) ? names : [names]), fn });
    return this;
  }

  /** Sets attributes from code: validated, sent to the frontend, observers told. */
  protected setAttrs(values: Record<string, unknown>): void {
    const changes = this.apply(values);
    if (changes.length && this.channel) this.channel.send({ method: "update", state: this.wire(Object.fromEntries(changes.map((c) => [c.name, this.state[c.name]]))), buffer_paths: [] });
    this.notify(changes);
  }

  /** Maps kernel-side names to what the frontend syncs (selection widgets sync `index`, not `value`). */
  protected wire(state: Record<string, unknown>): Record<string, unknown> {
    return state;
  }

  private apply(values: Record<string, unknown>): Change[] {
    const changes: Change[] = [];
    for (const [name, value] of Object.entries(values)) {
      const old = this.state[name];
      if (Object.is(old, value)) continue;
      this.state[name] = value;
      changes.push({ name, old, new: value, owner: this });
    }
    return changes;
  }

  private errors: unknown[] = [];

  private notify(changes: Change[]): void {
    for (const change of changes) {
      for (const o of this.observers) {
        if (o.names && !o.names.has(change.name)) continue;
        try {
          const r = o.fn(change);
          if (r && typeof (r as Promise<unknown>).then === "function") (r as Promise<unknown>).catch((e: unknown) => this.callbackFailed(e));
        } catch (e) {
          this.callbackFailed(e);
        }
      }
    }
  }

  /** A callback threw: told to the kernel's log through the host's error hook, and kept for tests. */
  protected callbackFailed(error: unknown): void {
    this.errors.push(error);
    const report = (globalThis as Record<symbol, unknown>)[Symbol.for("gradlab.widgetError")];
    if (typeof report === "function") (report as (e: unknown, w: Widget) => void)(error, this);
  }

  /** @internal errors thrown by this widget's callbacks so far */
  get callbackErrors(): readonly unknown[] {
    return this.errors;
  }

  /** A message from the frontend. */
  protected receive(msg: WidgetMessage): void {
    if (msg.method === "request_state") {
      this.channel?.send({ method: "update", state: this.syncedState(), buffer_paths: [] });
      return;
    }
    if (msg.method === "update" && msg.state) {
      const accepted = this.fromFrontend(msg.state);
      const changes = this.apply(accepted);
      // What the page sent but this widget did not take as is (a value clamped into range) goes back.
      const echo = this.wire(accepted);
      if (this.channel && Object.keys(echo).some((k) => !Object.is(echo[k], msg.state![k]))) {
        this.channel.send({ method: "update", state: echo, buffer_paths: [] });
      }
      this.notify(changes);
      return;
    }
    if (msg.method === "custom") this.custom(msg.content);
  }

  /** Attributes the frontend sent, as this widget accepts them (by default every one). */
  protected fromFrontend(state: Record<string, unknown>): Record<string, unknown> {
    return state;
  }

  protected custom(_content: unknown): void {}

  /** One line of text: what a frontend without a widget manager shows. */
  abstract describe(): string;

  /** HTML for frontends without a widget manager (nbconvert, GitHub): a plain, static picture. */
  fallbackHtml(): string {
    return `<div class="gradlab-widget"><code>${escapeHtml(this.describe())}</code></div>`;
  }

  [Symbol.for("Jupyter.display")](): MimeBundle | Promise<MimeBundle> {
    return {
      "application/vnd.jupyter.widget-view+json": { version_major: 2, version_minor: 0, model_id: this.modelId },
      "text/plain": this.describe(),
      "text/html": this.fallbackHtml(),
    };
  }

  toString(): string {
    return this.describe();
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.describe();
  }
}

/** CSS of a widget (LayoutModel): made for every DOM widget, as ipywidgets does. */
export class Layout extends Widget {
  constructor(css: Record<string, string | null> = {}) {
    super({ model: "LayoutModel", view: "LayoutView" }, css);
  }
  describe(): string {
    return "Layout()";
  }
}

/** A style model (slider, button, description…): only its identity; the frontend's defaults do the rest. */
export class Style extends Widget {
  constructor(model: string, module: { module: string; version: string }) {
    super({ model, view: "StyleView", module, viewModule: BASE }, {});
  }
  describe(): string {
    return `${this.state["_model_name"]}()`;
  }
}
