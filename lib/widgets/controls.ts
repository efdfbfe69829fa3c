import { GradlabError } from "../tensor/errors.js";
import { escapeHtml } from "../display/sink.js";
import { CONTROLS } from "./host.js";
import { Layout, ref, Style, Widget } from "./widget.js";

/** A control with a `value` (read, set, observed). */
export abstract class ValueWidget<T> extends Widget {
  readonly layout: Layout;
  readonly style: Style | null;

  protected constructor(model: string, view: string, styleModel: string | null, attrs: Record<string, unknown>) {
    const layout = new Layout();
    const style = styleModel ? new Style(styleModel, CONTROLS) : null;
    super({ model, view, module: CONTROLS }, { ...attrs, layout: ref(layout), ...(style ? { style: ref(style) } : {}) });
    this.layout = layout;
    this.style = style;
  }

  get value(): T {
    return this.state["value"] as T;
  }

  set value(v: T) {
    this.setAttrs({ value: this.check(v) });
  }

  get description(): string {
    return String(this.state["description"] ?? "");
  }

  /** A value from code: returned as stored, or a clear error. */
  protected abstract check(v: T): T;
}

interface SliderOptions {
  value?: number;
  min?: number;
  max?: number;
  step?: number;
  description?: string;
  /** Send values while the handle moves (default true); false sends on release only. */
  continuousUpdate?: boolean;
  readoutFormat?: string;
  orientation?: "horizontal" | "vertical";
  disabled?: boolean;
}

function finite(widget: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new GradlabError(`${widget}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

/** A number on a slider between `min` and `max`, moving by `step`. */
abstract class Slider extends ValueWidget<number> {
  protected constructor(private readonly kind: string, model: string, view: string, o: SliderOptions, defaults: { min: number; max: number; step: number; value: number; format: string }, integer: boolean) {
    const min = finite(kind, "min", o.min ?? defaults.min);
    const max = finite(kind, "max", o.max ?? defaults.max);
    const step = finite(kind, "step", o.step ?? defaults.step);
    if (!(min < max)) throw new GradlabError(`${kind}: min (${min}) must be below max (${max})`);
    if (!(step > 0)) throw new GradlabError(`${kind}: step must be > 0, got ${step}`);
    if (integer && [min, max, step].some((v) => !Number.isInteger(v))) throw new GradlabError(`${kind}: min, max and step must be whole numbers`);
    const value = finite(kind, "value", o.value ?? Math.min(Math.max(defaults.value, min), max));
    Slider.inRange(kind, value, min, max);
    if (integer && !Number.isInteger(value)) throw new GradlabError(`${kind}: value must be a whole number, got ${value}`);
    super(model, view, "SliderStyleModel", {
      value, min, max, step, description: o.description ?? "", continuous_update: o.continuousUpdate ?? true,
      readout: true, readout_format: o.readoutFormat ?? defaults.format, orientation: o.orientation ?? "horizontal", disabled: o.disabled ?? false,
    });
  }

  protected static inRange(kind: string, v: number, min: number, max: number): void {
    if (v < min || v > max) throw new GradlabError(`${kind}: value ${v} is outside [${min}, ${max}]; change the value, or min and max first`);
  }

  get min(): number {
    return this.state["min"] as number;
  }
  get max(): number {
    return this.state["max"] as number;
  }
  get step(): number {
    return this.state["step"] as number;
  }

  protected check(v: number): number {
    finite(this.kind, "value", v);
    Slider.inRange(this.kind, v, this.min, this.max);
    return v;
  }

  /** The page can only send values the slider shows; anything else is clamped. */
  protected override fromFrontend(state: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (typeof state["value"] === "number" && Number.isFinite(state["value"])) out["value"] = Math.min(this.max, Math.max(this.min, state["value"]));
    return out;
  }

  describe(): string {
    return `${this.kind}(value=${this.value}, min=${this.min}, max=${this.max}, step=${this.step}${this.description ? `, description=${JSON.stringify(this.description)}` : ""})`;
  }

  override fallbackHtml(): string {
    return `<div class="gradlab-widget"><label>${escapeHtml(this.description)} <input type="range" min="${this.min}" max="${this.max}" step="${this.step}" value="${this.value}" disabled> ${this.value}</label></div>`;
  }
}

export class FloatSlider extends Slider {
  constructor(o: SliderOptions = {}) {
    super("FloatSlider", "FloatSliderModel", "FloatSliderView", o, { min: 0, max: 10, step: 0.1, value: 0, format: ".2f" }, false);
  }
}

export class IntSlider extends Slider {
  constructor(o: SliderOptions = {}) {
    super("IntSlider", "IntSliderModel", "IntSliderView", o, { min: 0, max: 100, step: 1, value: 0, format: "d" }, true);
  }
  protected override check(v: number): number {
    if (!Number.isInteger(v)) throw new GradlabError(`IntSlider: value must be a whole number, got ${v}`);
    return super.check(v);
  }
  protected override fromFrontend(state: Record<string, unknown>): Record<string, unknown> {
    const out = super.fromFrontend(state);
    if (typeof out["value"] === "number") out["value"] = Math.round(out["value"]);
    return out;
  }
}

/** base^exponent without the last-digit noise of `**` (10 ** -4 is 0.00009999999999999999). */
function power(base: number, exponent: number): number {
  return Number((base ** exponent).toPrecision(15));
}

/**
 * A value on a logarithmic slider: `base` to a power between `min` and `max` (exponents), moving
 * by `step` in the exponent. For learning rates: { min: -4, max: 0 } spans 0.0001 … 1.
 */
export class FloatLogSlider extends ValueWidget<number> {
  constructor(o: SliderOptions & { base?: number } = {}) {
    const base = finite("FloatLogSlider", "base", o.base ?? 10);
    const min = finite("FloatLogSlider", "min", o.min ?? 0);
    const max = finite("FloatLogSlider", "max", o.max ?? 4);
    const step = finite("FloatLogSlider", "step", o.step ?? 0.1);
    if (!(base > 1)) throw new GradlabError(`FloatLogSlider: base must be > 1, got ${base}`);
    if (!(min < max)) throw new GradlabError(`FloatLogSlider: min (${min}) must be below max (${max}); they are exponents of ${base}`);
    if (!(step > 0)) throw new GradlabError(`FloatLogSlider: step must be > 0, got ${step}`);
    const value = finite("FloatLogSlider", "value", o.value ?? power(base, min));
    FloatLogSlider.inRange(value, base, min, max);
    super("FloatLogSliderModel", "FloatLogSliderView", "SliderStyleModel", {
      value, base, min, max, step, description: o.description ?? "", continuous_update: o.continuousUpdate ?? true,
      readout: true, readout_format: o.readoutFormat ?? ".3g", orientation: o.orientation ?? "horizontal", disabled: o.disabled ?? false,
    });
  }

  private static inRange(v: number, base: number, min: number, max: number): void {
    const lo = power(base, min);
    const hi = power(base, max);
    if (!(v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12))) {
      throw new GradlabError(`FloatLogSlider: value ${v} is outside [${lo}, ${hi}] (${base} to the powers ${min} … ${max})`);
    }
  }

  protected check(v: number): number {
    finite("FloatLogSlider", "value", v);
    FloatLogSlider.inRange(v, this.state["base"] as number, this.state["min"] as number, this.state["max"] as number);
    return v;
  }

  protected override fromFrontend(state: Record<string, unknown>): Record<string, unknown> {
    const v = state["value"];
    if (typeof v !== "number" || !(v > 0)) return {};
    const base = this.state["base"] as number;
    return { value: Math.min(power(base, this.state["max"] as number), Math.max(power(base, this.state["min"] as number), v)) };
  }

  describe(): string {
    return `FloatLogSlider(value=${this.value}, base=${this.state["base"]}, min=${this.state["min"]}, max=${this.state["max"]}${this.description ? `, description=${JSON.stringify(this.description)}` : ""})`;
  }
}

type OptionsInput<T> = readonly T[] | readonly (readonly [string, T])[] | Record<string, T>;

function labelled<T>(kind: string, options: OptionsInput<T>): { labels: string[]; values: T[] } {
  let pairs: [string, T][];
  if (Array.isArray(options)) {
    pairs = (options as unknown[]).map((o) => (Array.isArray(o) && o.length === 2 && typeof o[0] === "string" ? [o[0], o[1] as T] : [String(o), o as T]));
  } else if (options && typeof options === "object") pairs = Object.entries(options as Record<string, T>);
  else throw new GradlabError(`${kind}: options must be an array (of values, or [label, value] pairs) or an object { label: value }`);
  if (pairs.length === 0) throw new GradlabError(`${kind}: give at least one option`);
  return { labels: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) };
}

/** One of several options: a drop-down list, or a row of buttons. */
export abstract class Selection<T> extends ValueWidget<T> {
  private readonly values: T[];

  protected constructor(private readonly kind: string, model: string, view: string, styleModel: string, o: { options: OptionsInput<T>; value?: T; description?: string; disabled?: boolean }, extra: Record<string, unknown> = {}) {
    const { labels, values } = labelled(kind, o.options);
    const index = o.value === undefined ? 0 : values.findIndex((v) => Object.is(v, o.value));
    if (index < 0) throw new GradlabError(`${kind}: ${JSON.stringify(o.value)} is not one of the options ${labels.join(", ")}`);
    super(model, view, styleModel, { _options_labels: labels, index, value: values[index], description: o.description ?? "", disabled: o.disabled ?? false, ...extra });
    this.values = values;
  }

  get options(): readonly T[] {
    return this.values;
  }

  get label(): string {
    return (this.state["_options_labels"] as string[])[this.state["index"] as number]!;
  }

  protected check(v: T): T {
    if (!this.values.some((x) => Object.is(x, v))) {
      throw new GradlabError(`${this.kind}: ${JSON.stringify(v)} is not one of the options ${(this.state["_options_labels"] as string[]).join(", ")}`);
    }
    return v;
  }

  override set value(v: T) {
    const i = this.values.findIndex((x) => Object.is(x, this.check(v)));
    this.setAttrs({ value: this.values[i], index: i });
  }

  override get value(): T {
    return this.state["value"] as T;
  }

  /** The frontend knows options by position: it syncs `index`; `value` stays in the kernel. */
  protected override syncedState(): Record<string, unknown> {
    const { value: _value, ...rest } = this.state;
    return rest;
  }

  protected override wire(state: Record<string, unknown>): Record<string, unknown> {
    const { value: _value, ...rest } = state;
    return rest;
  }

  protected override fromFrontend(state: Record<string, unknown>): Record<string, unknown> {
    const i = state["index"];
    if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= this.values.length) return {};
    return { index: i, value: this.values[i] };
  }

  describe(): string {
    return `${this.kind}(value=${JSON.stringify(this.label)}, options=[${(this.state["_options_labels"] as string[]).map((l) => JSON.stringify(l)).join(", ")}]${this.description ? `, description=${JSON.stringify(this.description)}` : ""})`;
  }
}

export class Dropdown<T = unknown> extends Selection<T> {
  constructor(o: { options: OptionsInput<T>; value?: T; description?: string; disabled?: boolean }) {
    super("Dropdown", "DropdownModel", "DropdownView", "DescriptionStyleModel", o);
  }
}

export class ToggleButtons<T = unknown> extends Selection<T> {
  constructor(o: { options: OptionsInput<T>; value?: T; description?: string; disabled?: boolean; tooltips?: string[] }) {
    super("ToggleButtons", "ToggleButtonsModel", "ToggleButtonsView", "ToggleButtonsStyleModel", o, { tooltips: o.tooltips ?? [], button_style: "" });
  }
}

export class Checkbox extends ValueWidget<boolean> {
  constructor(o: { value?: boolean; description?: string; indent?: boolean; disabled?: boolean } = {}) {
    super("CheckboxModel", "CheckboxView", "CheckboxStyleModel", { value: o.value ?? false, description: o.description ?? "", indent: o.indent ?? true, disabled: o.disabled ?? false });
  }
  protected check(v: boolean): boolean {
    if (typeof v !== "boolean") throw new GradlabError(`Checkbox: value must be true or false, got ${String(v)}`);
    return v;
  }
  protected override fromFrontend(state: Record<string, unknown>): Record<string, unknown> {
    return typeof state["value"] === "boolean" ? { value: state["value"] } : {};
  }
  describe(): string {
    return `Checkbox(value=${this.value}${this.description ? `, description=${JSON.stringify(this.description)}` : ""})`;
  }
}

export class Text extends ValueWidget<string> {
  constructor(o: { value?: string; placeholder?: string; description?: string; continuousUpdate?: boolean; disabled?: boolean } = {}) {
    super("TextModel", "TextView", "TextStyleModel", {
      value: o.value ?? "", placeholder: o.placeholder ?? "", description: o.description ?? "", continuous_update: o.continuousUpdate ?? true, disabled: o.disabled ?? false,
    });
  }
  protected check(v: string): string {
    if (typeof v !== "string") throw new GradlabError(`Text: value must be a string, got ${typeof v}`);
    return v;
  }
  protected override fromFrontend(state: Record<string, unknown>): Record<string, unknown> {
    return typeof state["value"] === "string" ? { value: state["value"] } : {};
  }
  describe(): string {
    return `Text(value=${JSON.stringify(this.value)})`;
  }
}

export class Label extends ValueWidget<string> {
  constructor(o: { value?: string } | string = {}) {
    super("LabelModel", "LabelView", "LabelStyleModel", { value: typeof o === "string" ? o : (o.value ?? "") });
  }
  protected check(v: string): string {
    return String(v);
  }
  protected override fromFrontend(): Record<string, unknown> {
    return {};
  }
  describe(): string {
    return `Label(${JSON.stringify(this.value)})`;
  }
  override fallbackHtml(): string {
    return `<div class="gradlab-widget">${escapeHtml(this.value)}</div>`;
  }
}

/** A counter that counts by itself while playing: `value` from `min` to `max`, one `step` every `interval` ms. */
export class Play extends ValueWidget<number> {
  constructor(o: { value?: number; min?: number; max?: number; step?: number; interval?: number; description?: string; repeat?: boolean } = {}) {
    const min = o.min ?? 0;
    const max = o.max ?? 100;
    const value = o.value ?? min;
    for (const [k, v] of Object.entries({ min, max, value, step: o.step ?? 1, interval: o.interval ?? 100 })) {
      if (!Number.isInteger(v)) throw new GradlabError(`Play: ${k} must be a whole number, got ${v}`);
    }
    if (!(min < max)) throw new GradlabError(`Play: min (${min}) must be below max (${max})`);
    if (value < min || value > max) throw new GradlabError(`Play: value ${value} is outside [${min}, ${max}]`);
    super("PlayModel", "PlayView", "DescriptionStyleModel", {
      value, min, max, step: o.step ?? 1, interval: o.interval ?? 100, description: o.description ?? "", playing: false, repeat: o.repeat ?? false, show_repeat: true, disabled: false,
    });
  }
  protected check(v: number): number {
    if (!Number.isInteger(v) || v < (this.state["min"] as number) || v > (this.state["max"] as number)) {
      throw new GradlabError(`Play: value ${v} must be a whole number in [${this.state["min"]}, ${this.state["max"]}]`);
    }
    return v;
  }
  protected override fromFrontend(state: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (typeof state["value"] === "number") out["value"] = Math.round(Math.min(this.state["max"] as number, Math.max(this.state["min"] as number, state["value"])));
    if (typeof state["playing"] === "boolean") out["playing"] = state["playing"];
    if (typeof state["repeat"] === "boolean") out["repeat"] = state["repeat"];
    return out;
  }
  describe(): string {
    return `Play(value=${this.value}, min=${this.state["min"]}, max=${this.state["max"]})`;
  }
}

/** A button; `onClick(cb)` runs `cb` at every click in the page. */
export class Button extends Widget {
  readonly layout: Layout;
  readonly style: Style;
  // What a callback returns is ignored (a promise is awaited for its errors), so `() => display(x)` fits.
  private readonly clicks: ((b: Button) => unknown)[] = [];

  constructor(o: { description?: string; buttonStyle?: "" | "primary" | "success" | "info" | "warning" | "danger"; icon?: string; tooltip?: string; disabled?: boolean } = {}) {
    const layout = new Layout();
    const style = new Style("ButtonStyleModel", CONTROLS);
    super({ model: "ButtonModel", view: "ButtonView", module: CONTROLS }, {
      description: o.description ?? "", button_style: o.buttonStyle ?? "", icon: o.icon ?? "", tooltip: o.tooltip ?? null, disabled: o.disabled ?? false, layout: ref(layout), style: ref(style),
    });
    this.layout = layout;
    this.style = style;
  }

  onClick(cb: (b: Button) => unknown): this {
    if (typeof cb !== "function") throw new GradlabError("Button.onClick: pass a function");
    this.clicks.push(cb);
    return this;
  }

  /** Clicks the button from code, as the page does. */
  click(): void {
    for (const cb of this.clicks) {
      try {
        const r = cb(this);
        if (r && typeof (r as Promise<unknown>).then === "function") (r as Promise<unknown>).catch((e: unknown) => this.callbackFailed(e));
      } catch (e) {
        this.callbackFailed(e);
      }
    }
  }

  protected override custom(content: unknown): void {
    if (content && typeof content === "object" && (content as { event?: unknown }).event === "click") this.click();
  }

  protected override fromFrontend(): Record<string, unknown> {
    return {};
  }

  describe(): string {
    return `Button(description=${JSON.stringify(this.state["description"])})`;
  }

  override fallbackHtml(): string {
    return `<div class="gradlab-widget"><button disabled>${escapeHtml(String(this.state["description"]))}</button></div>`;
  }
}
