import type { Tensor } from "./tensor.js";
import { formatTensor } from "./format.js";

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The MIME bundle the kernel shows for a tensor. Reading values is async on GPU backends,
 * so this is async everywhere and the kernel awaits it.
 */
export async function tensorDisplay(t: Tensor): Promise<Record<string, string>> {
  const text = t.storage.disposed ? t.toString() : formatTensor(await t.data(), t);
  return { "text/plain": text, "text/html": `<pre>${escapeHtml(text)}</pre>` };
}
