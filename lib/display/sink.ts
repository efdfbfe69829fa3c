/**
 * How library code shows and updates outputs without importing the kernel: the kernel (or any
 * host) installs a sink under a well-known global symbol; outside a notebook there is none.
 */
export type MimeBundle = Record<string, unknown>;

export interface DisplaySink {
  display(bundle: MimeBundle, options?: { id?: string }): void | Promise<void>;
  update(id: string, bundle: MimeBundle): void | Promise<void>;
}

export const DISPLAY_SINK = Symbol.for("gradlab.displaySink");

export function displaySink(): DisplaySink | null {
  const s = (globalThis as Record<symbol, unknown>)[DISPLAY_SINK];
  return s && typeof (s as DisplaySink).display === "function" ? (s as DisplaySink) : null;
}

let counter = 0;

/** A display id unique within this process and across kernel restarts. */
export function newDisplayId(prefix: string): string {
  counter++;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
