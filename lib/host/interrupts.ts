/**
 * How long-running library code (train.fit) stops when the user interrupts the notebook cell
 * that started it, without importing the kernel: the kernel installs a hook under a well-known
 * global symbol; outside a notebook there is none and nothing is ever interrupted.
 */
export interface InterruptHost {
  /**
   * Called when the work starts; the returned function throws the host's own interrupt error
   * once the cell that was running at that moment has been interrupted.
   */
  watch(): () => void;
}

export const INTERRUPT_HOST = Symbol.for("gradlab.interrupts");

const never = (): void => {};

/** A check to call between steps of long work: it throws when the user interrupted it. */
export function watchInterrupts(): () => void {
  const host = (globalThis as Record<symbol, unknown>)[INTERRUPT_HOST];
  return host && typeof (host as InterruptHost).watch === "function" ? (host as InterruptHost).watch() : never;
}
