/**
 * A way to run the garbage collector on demand, in Node. The collector does not see GPU memory:
 * a training step allocates megabytes of GPU buffers behind a few kilobytes of JavaScript
 * objects, so V8 would collect far too rarely and GPU memory would climb. When GPU allocations
 * pile up, the WebGPU backend collects and frees the buffers of unreachable tensors at once.
 * `--expose-gc` after start-up is honoured by V8 for `gc` looked up in a new context.
 */
export async function findGc(): Promise<(() => void) | null> {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return exposed;
  if (typeof process === "undefined" || typeof process.versions?.node !== "string") return null;
  try {
    const v8 = await import("node:v8");
    const vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
