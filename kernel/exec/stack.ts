// Stack traces that point at cells: frames in compiled cells are rewritten to `In[5]:2:9` (cell
// line and column) for every error, including `err.stack` read by user code; frames of the
// kernel itself are left out of the tracebacks it reports.
import type { CellPosition, CellRegistry, CompiledCell } from "./cells.js";
import { GUARD_FILE } from "./guard.js";
import { KERNEL_DIR } from "../kernel-dir.js";
import { bundleFrames } from "../library-modules.js";

export interface Frame {
  text: string;
  /** Set for frames in a cell. */
  cell?: { compiled: CompiledCell; position: CellPosition };
  kernel: boolean;
}

const framesOf = new WeakMap<object, Frame[]>();

export function installStackMapping(cells: CellRegistry): void {
  // A process restored from a start-up snapshot starts without a stack trace limit (no frames).
  if (typeof Error.stackTraceLimit !== "number") Error.stackTraceLimit = 10;
  Error.prepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]): string => {
    const frames = callSites.map((site) => toFrame(site, cells));
    if (error !== null && typeof error === "object") framesOf.set(error, frames);
    return header(error) + frames.map((f) => `\n    at ${f.text}`).join("");
  };
}

/** The frames recorded when `error.stack` was built, or null for errors thrown elsewhere. */
export function framesOfError(error: unknown): Frame[] | null {
  if (error === null || typeof error !== "object") return null;
  // Reading `stack` makes V8 call prepareStackTrace if it has not yet.
  void (error as { stack?: unknown }).stack;
  return framesOf.get(error) ?? null;
}

function toFrame(site: NodeJS.CallSite, cells: CellRegistry): Frame {
  let text: string;
  try {
    text = site.toString();
  } catch {
    text = "<unknown>";
  }
  const file = site.getFileName() ?? "";
  const line = site.getLineNumber() ?? 0;
  const column = site.getColumnNumber() ?? 0;
  const compiled = cells.get(file);
  if (compiled) {
    const position = cells.toCell(compiled, line, column);
    if (position) {
      return { text: cellFrameText(site, `${compiled.label}:${position.line}:${position.column}`), cell: { compiled, position }, kernel: false };
    }
    // The kernel's wrapper around the cell (the call that starts it).
    return { text: text.replace(`${file}:${line}:${column}`, compiled.label), kernel: true };
  }
  // A frame in the library's bundle names the library file it came from.
  const original = bundleFrames()?.original(file, line, column);
  if (original) text = text.replace(`${file}:${line}:${column}`, original);
  const kernel = file.startsWith("node:internal") || file === "node:vm" || file === GUARD_FILE || file.startsWith(KERNEL_DIR) || file.startsWith(`file://${KERNEL_DIR}`);
  return { text, kernel };
}

/**
 * V8 would name frames after the receiver, which for cells is kernel plumbing ("Proxy.f" for a
 * function defined in an earlier cell, "Object.<anonymous>" for the cell itself).
 */
function cellFrameText(site: NodeJS.CallSite, location: string): string {
  const name = site.getFunctionName();
  const type = site.getTypeName();
  const method = site.getMethodName();
  const qualified = name && method && type && type !== "Proxy" && type !== "Object" ? `${type}.${name}` : name;
  const prefix = `${site.isAsync?.() ? "async " : ""}${site.isConstructor() ? "new " : ""}`;
  return qualified ? `${prefix}${qualified} (${location})` : `${prefix}${location}`;
}

function header(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}
