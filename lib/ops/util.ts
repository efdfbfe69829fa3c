import type { Backend, View } from "../backend/backend.js";
import type { Node } from "../autograd/node.js";
import { gradMode } from "../autograd/mode.js";
import { allocArray, promote, promoteWithScalar, type DType } from "../tensor/dtype.js";
import { GradlabError } from "../tensor/errors.js";
import { sameShape } from "../tensor/shape.js";
import { Tensor, type TensorLike } from "../tensor/tensor.js";
import { outsideScopes } from "../tensor/storage.js";

/** Attaches the gradient rule to `out` when recording is on and an input needs gradients. */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], vjp: Node["vjp"], saved?: readonly Tensor[]): Tensor {
  if (!gradMode.enabled) return out;
  for (let i = 0; i < inputs.length; i++) {
    // One object shape for every node (saved or not), so the engine's property reads stay monomorphic.
    if (inputs[i]!.requiresGrad) return out._track({ op, inputs, vjp, saved });
  }
  return out;
}

export function needs(t: Tensor): boolean {
  return t.requiresGrad;
}

export function checkSameBackend(op: string, a: Tensor, b: Tensor): void {
  if (a.storage.backend !== b.storage.backend) {
    throw new GradlabError(
      `${op}: the tensors live on different backends (${a.device} and ${b.device}); move one with .to("${a.device}") first`,
    );
  }
}

// Constants such as the 1 in `x.add(1)` are immutable 0-d tensors, so they can be shared.
const constants = new Map<Backend, Map<string, Tensor>>();

export function constant(backend: Backend, value: number, dtype: DType): Tensor {
  let byBackend = constants.get(backend);
  if (!byBackend) constants.set(backend, (byBackend = new Map()));
  const key = dtype + ":" + (Object.is(value, -0) ? "-0" : String(value));
  let t = byBackend.get(key);
  if (!t) {
    const arr = allocArray(dtype, 1);
    arr[0] = value;
    // Cached for good, so never part of a backward pass's temporaries.
    t = outsideScopes(() => Tensor.fromBuffer(backend, backend.upload(arr), [], dtype));
    if (byBackend.size < 512) byBackend.set(key, t);
  }
  return t;
}

/** The dtype two operands compute in; a JS number is weak (does not widen the tensor). */
export function resultDtype(op: string, a: Tensor, b: TensorLike): DType {
  if (!(b instanceof Tensor) && typeof b !== "number" && typeof b !== "boolean") {
    throw new GradlabError(`${op}: expected a Tensor or a number, got ${describe(b)}`);
  }
  return typeof b === "number" ? promoteWithScalar(a.dtype, b) : promote(a.dtype, b.dtype);
}

export function operand(op: string, x: TensorLike, like: Tensor, dtype: DType): Tensor {
  if (x instanceof Tensor) {
    checkSameBackend(op, like, x);
    return x;
  }
  if (typeof x !== "number" && typeof x !== "boolean") {
    throw new GradlabError(`${op}: expected a Tensor or a number, got ${describe(x)}`);
  }
  return constant(like.storage.backend, Number(x), dtype);
}

export function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array (wrap it with tensor(...))";
  return typeof x === "object" ? (x.constructor?.name ?? "an object") : `${typeof x} ${String(x)}`;
}

/** A stride-0 view of `t` broadcast to `shape` (no copy, no graph). */
export function broadcastView(t: Tensor, shape: readonly number[]): View<unknown> {
  if (sameShape(t.shape, shape)) return t;
  const n = shape.length;
  const strides = new Array<number>(n).fill(0);
  const off = n - t.ndim;
  for (let i = 0; i < t.ndim; i++) {
    strides[off + i] = t.shape[i] === 1 && shape[off + i] !== 1 ? 0 : t.strides[i]!;
  }
  return { buf: t.buf, shape, strides, offset: t.offset, dtype: t.dtype };
}
