import type { Tensor } from "./tensor.js";
import { formatTensor, numberFormatter } from "./format.js";
import type { TypedArray } from "./dtype.js";

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const EDGE = 5;

/** Indices to show along an axis of size n: all, or the first and last EDGE with -1 for "⋯". */
function shown(n: number): number[] {
  return n <= 2 * EDGE + 1 ? [...Array(n).keys()] : [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

function header(t: Tensor): string {
  const parts = [`shape [${t.shape.join(", ")}]`, t.dtype, t.device];
  if (t.gradFn) parts.push(`gradFn ${t.gradFn}`);
  else if (t.requiresGrad) parts.push("requiresGrad");
  return `<div style="font-size:12px;color:#555;margin-bottom:2px"><b>tensor</b> · ${parts.map(escapeHtml).join(" · ")}</div>`;
}

/** 0-, 1- and 2-d tensors as an HTML table with row/column indices (elided when large). */
function table(values: TypedArray, t: Tensor): string {
  const fmt = numberFormatter(values, t.dtype);
  const [r, c] = t.ndim === 2 ? [t.shape[0]!, t.shape[1]!] : [1, t.shape[0] ?? 1];
  const cell = "padding:2px 8px;text-align:right;font-family:monospace;border:1px solid #ddd";
  const idx = "padding:2px 6px;color:#999;font-size:11px;text-align:right";
  const cols = shown(c);
  const head = t.ndim === 2 ? `<tr><th></th>${cols.map((j) => `<th style="${idx}">${j < 0 ? "⋯" : j}</th>`).join("")}</tr>` : "";
  const body = shown(r)
    .map((i) => {
      const label = t.ndim === 2 ? `<th style="${idx}">${i < 0 ? "⋮" : i}</th>` : "";
      const cells = cols.map((j) => (i < 0 || j < 0 ? `<td style="${cell};color:#999">${i < 0 ? "⋮" : "⋯"}</td>` : `<td style="${cell}">${escapeHtml(fmt(values[i * c + j]!))}</td>`));
      return `<tr>${label}${cells.join("")}</tr>`;
    })
    .join("");
  return `<table style="border-collapse:collapse">${head}${body}</table>`;
}

/**
 * The MIME bundle the kernel shows for a tensor: a PyTorch-style text form and an HTML table
 * with a shape/dtype/device header. Reading values is async on GPU backends, so this is async
 * everywhere and the kernel awaits it.
 */
export async function tensorDisplay(t: Tensor): Promise<Record<string, string>> {
  if (t.storage.disposed) return { "text/plain": t.toString() };
  const values = await t.data();
  const text = formatTensor(values, t);
  const html = t.ndim <= 2 && t.size > 0 ? table(values, t) : `<pre style="margin:0">${escapeHtml(text)}</pre>`;
  return { "text/plain": text, "text/html": `<div class="gradlab-tensor">${header(t)}${html}</div>` };
}
