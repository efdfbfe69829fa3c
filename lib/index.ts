/**
 * gradlab: tensors with autograd on WebGPU or WebAssembly, layers, losses, optimizers, data sets,
 * training, plots and assignment checks, for learning deep learning. Everything a lesson uses is
 * exported from here; the kernel preloads these names as globals.
 */
export { Tensor } from "./tensor/tensor.js";
export type { TensorLike, SliceSpec, BackwardOptions } from "./tensor/tensor.js";
export type { DType, TypedArray } from "./tensor/dtype.js";
export type { Nested, NestedInput } from "./tensor/nested.js";
export { GradlabError, ShapeError, DTypeError } from "./tensor/errors.js";
export {
  tensor, scalar, zeros, ones, full, zerosLike, onesLike, eye, arange, linspace, rand, randn, randint,
  type TensorOptions,
} from "./tensor/creation.js";
export { manualSeed } from "./tensor/random.js";
export { where } from "./ops/elementwise.js";
export { concat, stack } from "./ops/movement.js";
export { noGrad } from "./autograd/mode.js";
export { grad, valueAndGrad, type GradArg } from "./autograd/functional.js";
export { gradcheck, type GradcheckOptions } from "./autograd/gradcheck.js";
export { getBackend, setBackend, backendInfo, initBackend } from "./backend/registry.js";
export { memory } from "./memory.js";
export type { BackendName } from "./backend/backend.js";
export * as F from "./nn/functional/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as train from "./train/index.js";
export * as plot from "./plot/index.js";
export * as check from "./check/index.js";
export * as widgets from "./widgets/index.js";
