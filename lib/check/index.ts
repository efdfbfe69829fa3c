/**
 * `check`: assertions for notebooks and assignments that explain a failure — what was expected,
 * what was found, and a hint at the likely mistake — and print "✓ …" when they pass. They run
 * anywhere the library runs (a notebook, plain Node, a test). With numbers, arrays and CPU
 * tensors a check completes (or throws) immediately; a check that must read a GPU tensor returns
 * a promise, so `await check.close(…)` is the form that works on every backend.
 */
export { CheckError } from "./report.js";
export type { Checkable } from "./values.js";
export { close, equal, ok, type CloseOptions, type CheckResult } from "./compare.js";
export { shape } from "./shape.js";
export { fn as function, derivative, type FunctionOptions, type TensorFn } from "./function.js";
export { gradient, type GradientOptions } from "./gradient.js";
