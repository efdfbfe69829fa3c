// The kernel's own names in every cell — display, clearOutput, input, comms — at run time and,
// with documentation, for the type checker.
import type { Comms } from "./comm.js";
import type { Displays } from "./display/api.js";
import { LOOP_CHECK, LOOP_CHECKS_WANTED } from "./engine/interruptible.cjs";
import type { Interrupts } from "./exec/interrupt.js";
import { breakOnSigint, setSignalsSafe } from "./exec/signals.js";
import { isLean } from "./lean.js";
import type { Stdin } from "./stdin.js";

export const GLOBAL_DECLARATIONS = `
/** A shown output that can be replaced later (live plots, progress). */
interface DisplayHandle {
  /** The output's display id. */
  readonly id: string;
  /** Replaces every output shown with this handle's id by \`value\`. */
  update(value: unknown): void;
}

/**
 * Shows a value now, below the cell: rich output for tensors, figures and anything with
 * [Symbol.for("Jupyter.display")](), text otherwise.
 * @param value what to show
 * @param options \`id\`: a display id; showing the same id again in the same cell replaces the
 *   earlier output. \`metadata\`: output metadata.
 * @returns a handle whose \`update(value)\` replaces the output in place
 */
declare function display(value: unknown, options?: { id?: string; metadata?: { [key: string]: unknown } }): DisplayHandle;

/**
 * Clears the cell's output.
 * @param options \`wait: true\` clears only when the next output arrives (no flicker).
 */
declare function clearOutput(options?: { wait?: boolean }): void;

/**
 * Asks the user for a line of text in the notebook.
 * @param prompt text shown before the input box
 * @param options \`password: true\` hides what is typed
 */
declare function input(prompt?: string, options?: { password?: boolean }): Promise<string>;

/** A comm: a channel for custom messages between this kernel and frontend code. */
interface Comm {
  readonly id: string;
  readonly targetName: string;
  send(data?: { [key: string]: unknown }, metadata?: { [key: string]: unknown }, buffers?: Uint8Array[]): void;
  close(data?: { [key: string]: unknown }): void;
  onMessage(handler: (data: { [key: string]: unknown }) => void): void;
  onClose(handler: (data: { [key: string]: unknown }) => void): void;
}

/** Opening comms, and accepting comms the frontend opens. */
declare const comms: {
  /** Called when the frontend opens a comm with this target name. */
  registerTarget(name: string, handler: (comm: Comm, data: { [key: string]: unknown }) => void): void;
  /** Opens a comm to a frontend target. */
  open(targetName: string, data?: { [key: string]: unknown }, metadata?: { [key: string]: unknown }): Comm;
};
`;

export function installGlobals(displays: Displays, stdin: Stdin, comms: Comms): void {
  const names: Record<string, unknown> = {
    display: (value: unknown, options?: { id?: string; metadata?: Record<string, unknown> }) => displays.display(value, options),
    clearOutput: (options?: { wait?: boolean }) => displays.clearOutput(options),
    input: (prompt?: string, options?: { password?: boolean }) => stdin.input(prompt, options),
    comms: comms.api(),
  };
  for (const [name, value] of Object.entries(names)) {
    // Writable so a notebook may define its own function of the same name.
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

/**
 * How interrupts reach code that a signal cannot safely stop: the check loops in cells call
 * (compiled in only while signals are unsafe, which they are while the library computes on
 * WebGPU: exec/signals.ts), and the hook library code polls (lib/host/interrupts.ts).
 */
export function installInterruptChecks(interrupts: Interrupts, library: Record<string, unknown> | null): void {
  Object.defineProperty(globalThis, LOOP_CHECK, { value: () => interrupts.throwIfRequested(), writable: false, configurable: true, enumerable: false });
  (globalThis as Record<symbol, unknown>)[Symbol.for("gradlab.interrupts")] = interrupts.hostHook();
  const getBackend = library?.getBackend;
  // A lean kernel (lean.ts) has no SIGINT watcher thread, so a script run with breakOnSigint
  // would take the process's SIGINT listener away for its duration (vm does), and a signal in
  // the moments around that would end the kernel. It interrupts as on WebGPU instead: loops,
  // awaits and the library's long computations stop; a long stretch without a loop runs out.
  setSignalsSafe(isLean() ? () => false : typeof getBackend === "function" ? () => getBackend() !== "webgpu" : () => true);
  (globalThis as Record<symbol, unknown>)[LOOP_CHECKS_WANTED] = () => !breakOnSigint();
}
