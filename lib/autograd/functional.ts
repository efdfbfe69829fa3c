import { gradMode } from "./mode.js";
import { gradients } from "./backward.js";
import { GradlabError, ShapeError, fmtShape } from "../tensor/errors.js";
import { Tensor } from "../tensor/tensor.js";
import { tensor, zerosLike } from "../tensor/creation.js";
import { isFloat } from "../tensor/dtype.js";
import { record } from "../ops/util.js";
import type { NestedInput } from "../tensor/nested.js";

export type GradArg = Tensor | number | NestedInput;

function argnumList(argnums: number | readonly number[] | undefined, nargs: number): number[] {
  const list = argnums === undefined ? [0] : typeof argnums === "number" ? [argnums] : [...argnums];
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= nargs) {
      throw new GradlabError(`grad: argnums ${JSON.stringify(argnums)} names argument ${a}, but the function was called with ${nargs} argument(s)`);
    }
  }
  return list;
}

/**
 * The tensor `f` sees for a differentiated argument. Inside an outer `grad` the argument already
 * requires gradients: an alias (identity op) keeps the link, so grad(grad(f)) works.
 */
function tracked(arg: unknown, i: number): Tensor {
  if (arg instanceof Tensor) {
    if (!isFloat(arg.dtype)) throw new GradlabError(`grad: argument ${i} is ${arg.dtype}; gradients need float32 or float64 inputs`);
    if (arg.requiresGrad) {
      const alias = new Tensor(arg.storage, arg.shape, arg.strides, arg.offset, arg.dtype);
      return record(alias, "alias", [arg], (g) => [g]);
    }
    const leaf = arg.detach();
    leaf.requiresGrad = true;
    return leaf;
  }
  return tensor(arg as NestedInput, { requiresGrad: true });
}

function run(f: (...args: never[]) => unknown, args: unknown[], nums: number[]): { value: Tensor; grads: Tensor[]; nested: boolean } {
  const nested = gradMode.enabled && nums.some((i) => args[i] instanceof Tensor && (args[i] as Tensor).requiresGrad);
  const inputs = nums.map((i) => tracked(args[i], i));
  const callArgs = args.slice();
  nums.forEach((i, k) => (callArgs[i] = inputs[k]));
  const prev = gradMode.enabled;
  gradMode.enabled = true;
  let out: unknown;
  try {
    out = (f as (...a: unknown[]) => unknown)(...callArgs);
  } finally {
    gradMode.enabled = prev;
  }
  if (!(out instanceof Tensor)) {
    throw new GradlabError(`grad: the function must return a Tensor computed from its inputs, got ${typeof out}`);
  }
  if (out.size !== 1) {
    throw new ShapeError(`grad: the function must return a single value (a scalar loss), got shape ${fmtShape(out.shape)}; reduce it with .sum() or .mean()`);
  }
  if (!out.requiresGrad) {
    // f does not depend on its inputs: the gradient is zero everywhere.
    return { value: out, grads: inputs.map((t) => zerosLike(t)), nested };
  }
  const gs = gradients(out, inputs, nested);
  return { value: nested ? out : out.detach(), grads: gs.map((g, k) => g ?? zerosLike(inputs[k]!)), nested };
}

type Fn = (...args: never[]) => Tensor;

/**
 * The gradient of a scalar-valued `f` as a function: grad(f)(x) = df/dx. With `argnums` an
 * array, it returns one gradient per listed argument. Numbers are accepted and become tensors.
 */
export function grad(f: Fn, options?: { argnums?: number }): (...args: GradArg[]) => Tensor;
export function grad(f: Fn, options: { argnums: readonly number[] }): (...args: GradArg[]) => Tensor[];
export function grad(f: Fn, options: { argnums?: number | readonly number[] } = {}): (...args: GradArg[]) => Tensor | Tensor[] {
  return (...args) => {
    const nums = argnumList(options.argnums, args.length);
    const { grads } = run(f, args, nums);
    return Array.isArray(options.argnums) ? grads : grads[0]!;
  };
}

/** Like `grad`, but returns `[value, gradient]` from one forward pass. */
export function valueAndGrad(f: Fn, options?: { argnums?: number }): (...args: GradArg[]) => [Tensor, Tensor];
export function valueAndGrad(f: Fn, options: { argnums: readonly number[] }): (...args: GradArg[]) => [Tensor, Tensor[]];
export function valueAndGrad(f: Fn, options: { argnums?: number | readonly number[] } = {}): (...args: GradArg[]) => [Tensor, Tensor | Tensor[]] {
  return (...args) => {
    const nums = argnumList(options.argnums, args.length);
    const { value, grads } = run(f, args, nums);
    return [value, Array.isArray(options.argnums) ? grads : grads[0]!];
  };
}
