// Values → MIME bundles. Objects with `[Symbol.for("Jupyter.display")]()` (tensors, figures, …)
// choose their own bundle, possibly asynchronously (WebGPU reads are async); everything else is
// shown as Node's inspect text. `text/plain` never carries terminal colour codes.
import { inspect } from "node:util";

export type MimeBundle = Record<string, unknown>;

export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");
const MIME_TYPE = /^[\w\-+.]+\/[\w\-+.]+$/;
// ESC [ … final byte, plus OSC sequences (ESC ] … BEL) that some libraries use for links.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

export function plainText(value: unknown): string {
  return stripAnsi(typeof value === "string" ? inspect(value) : inspect(value, { colors: false, depth: 4, maxArrayLength: 100 }));
}

type DisplayMethod = () => unknown;

export function isDisplayable(value: unknown): boolean {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as Record<symbol, unknown>)[JUPYTER_DISPLAY] === "function";
}

/** The bundle for a value; a promise only when the value's display method is async. */
export function bundleOf(value: unknown): MimeBundle | Promise<MimeBundle> {
  if (!isDisplayable(value)) return { "text/plain": plainText(value) };
  const method = (value as Record<symbol, DisplayMethod>)[JUPYTER_DISPLAY]!;
  const produced = method.call(value);
  if (isPromiseLike(produced)) return Promise.resolve(produced).then((bundle) => normalizeBundle(bundle, value));
  return normalizeBundle(produced, value);
}

/** Keeps valid MIME keys, and makes sure there is a colourless `text/plain`. */
export function normalizeBundle(bundle: unknown, value: unknown): MimeBundle {
  const out: MimeBundle = {};
  if (bundle !== null && typeof bundle === "object") {
    for (const [key, data] of Object.entries(bundle)) {
      if (MIME_TYPE.test(key) && data !== undefined) out[key] = data;
    }
  }
  const text = out["text/plain"];
  out["text/plain"] = typeof text === "string" ? stripAnsi(text) : plainText(value);
  return out;
}

/** The text `console.log` prints for a value: its bundle's `text/plain` when it has one. */
export function logText(value: unknown): string | Promise<string> {
  if (!isDisplayable(value)) return typeof value === "string" ? value : plainText(value);
  try {
    const bundle = bundleOf(value);
    if (isPromiseLike(bundle)) return bundle.then((b) => b["text/plain"] as string, () => plainText(value));
    return bundle["text/plain"] as string;
  } catch {
    return plainText(value);
  }
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}
