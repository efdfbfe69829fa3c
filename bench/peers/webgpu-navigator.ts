import { create, globals } from "webgpu";

/**
 * TF.js and jax-js look for WebGPU where a browser has it: `navigator.gpu` and the GPU* constant
 * objects. In Node they come from the same Dawn package gradlab uses, with the adapter gradlab
 * got: on a machine without a GPU that is OpenGL ES in compatibility mode (Mesa's llvmpipe),
 * which neither library asks for by itself, so requestAdapter adds it.
 */
let instance: GPU | null = null;

export function provideNavigatorGpu(compatibility: boolean): void {
  if (instance) return;
  Object.assign(globalThis, globals);
  // Held for the life of the process: Dawn crashes if its instance is collected under a device.
  const gpu = (instance = create(compatibility ? ["backend=opengles"] : []));
  const wrapped = {
    requestAdapter: (options: GPURequestAdapterOptions = {}) =>
      gpu.requestAdapter(compatibility ? { ...options, featureLevel: "compatibility" } : options),
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat(),
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  const existing = (globalThis as { navigator?: object }).navigator;
  // jax-js reads navigator.userAgent (a Firefox check); Node 20 has no navigator at all.
  Object.defineProperty(globalThis, "navigator", {
    value: { userAgent: `Node.js/${process.versions.node}`, ...existing, gpu: wrapped },
    configurable: true,
    writable: true,
  });
}
