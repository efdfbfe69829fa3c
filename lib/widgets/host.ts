/**
 * How widgets reach a frontend without importing the kernel: the kernel installs a host under a
 * well-known global symbol. Without one (plain Node, a browser page, a test) widgets still keep
 * and validate their values and call their observers; they just show as text and HTML.
 */

/** A message from the frontend on a widget's channel (Jupyter widgets protocol 2). */
export interface WidgetMessage {
  method?: string;
  state?: Record<string, unknown>;
  content?: unknown;
}

export interface WidgetChannel {
  /** The model id the frontend knows the widget by (its comm id). */
  readonly id: string;
  send(data: Record<string, unknown>): void;
}

export interface WidgetHost {
  /** Creates the widget's model in the frontend: `comm_open` on target `jupyter.widget`. */
  open(state: Record<string, unknown>, receive: (message: WidgetMessage) => void): WidgetChannel;
  /**
   * Runs `task` as the kernel runs a request: in turn with cells, between busy and idle, and
   * stoppable by an interrupt (interact re-renders with it). Without it tasks just run.
   */
  schedule?(task: () => Promise<void>): void;
  /**
   * Calls `fn` so that an interrupt stops it even inside a synchronous loop (the kernel runs it
   * as it runs a cell's code). Without it `fn` is just called.
   */
  guard?<T>(fn: () => T): T;
}

export const WIDGET_HOST = Symbol.for("gradlab.widgetHost");

export function widgetHost(): WidgetHost | null {
  const h = (globalThis as Record<symbol, unknown>)[WIDGET_HOST];
  return h && typeof (h as WidgetHost).open === "function" ? (h as WidgetHost) : null;
}

/** Jupyter widgets protocol and module versions of ipywidgets 8 (what JupyterLab's manager speaks). */
export const PROTOCOL_VERSION = "2.1.0";
export const BASE = { module: "@jupyter-widgets/base", version: "2.0.0" } as const;
export const CONTROLS = { module: "@jupyter-widgets/controls", version: "2.0.0" } as const;
export const OUTPUT = { module: "@jupyter-widgets/output", version: "1.0.0" } as const;
