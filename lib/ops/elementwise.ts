import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { isFloat, type DType } from "../tensor/dtype.js";
import { DTypeError } from "../tensor/errors.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor, type TensorLike } from "../tensor/tensor.js";
import { cast } from "./cast.js";
import { sumTo } from "./sum-to.js";
import { broadcastView, operand, record, resultDtype } from "./util.js";

// ---- primitives without gradients (the building blocks of the rules below) ----

export function unaryRaw(op: UnaryOp, x: Tensor, outDtype: DType = x.dtype): Tensor {
  const be = x.storage.backend;
  return Tensor.fromBuffer(be, be.unary(op, x, outDtype), x.shape, outDtype);
}

export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType, name: string = op): Tensor {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const be = a.storage.backend;
  const buf = be.binary(op, broadcastView(a, shape), broadcastView(b, shape), shape, outDtype);
  return Tensor.fromBuffer(be, buf, shape, outDtype);
}

function toFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, "float32");
}

// ---- unary ops: forward kernel and gradient rule side by side ----

type UnaryRule = (g: Tensor, x: Tensor, out: Tensor) => Tensor;

/** Ops whose result is real-valued even for integer input (exp of an int is a float). */
function floatUnary(op: UnaryOp, rule: UnaryRule): (x: Tensor) => Tensor {
  return (x) => {
    const xf = toFloat(x);
    const out = unaryRaw(op, xf);
    return record(out, op, [xf], (g) => [rule(g, xf, out)]);
  };
}

function sameTypeUnary(op: UnaryOp, rule: UnaryRule): (x: Tensor) => Tensor {
  return (x) => {
    if (x.dtype === "bool") throw new DTypeError(`${op}: not defined for bool tensors; cast with .int() or .float() first`);
    const out = unaryRaw(op, x);
    return record(out, op, [x], (g) => [rule(g, x, out)]);
  };
}

export const exp = floatUnary("exp", (g, _x, out) => g.mul(out));
export const log = floatUnary("log", (g, x) => g.div(x));
export const log1p = floatUnary("log1p", (g, x) => g.div(x.add(1)));
export const sqrt = floatUnary("sqrt", (g, _x, out) => g.div(out.mul(2)));
export const sin = floatUnary("sin", (g, x) => g.mul(x.cos()));
export const cos = floatUnary("cos", (g, x) => g.mul(x.sin()).neg());
export const reciprocal = floatUnary("recip", (g, _x, out) => g.mul(out.square()).neg());
// g(1 − y²) as g − (g·y)·y and gy(1 − y) as g(y − y²): three ops each instead of four, one op
// in nine of a scalar chain's backward (lesson 02's graphs are made of such ops).
export const tanh = floatUnary("tanh", (g, _x, out) => g.sub(g.mul(out).mul(out)));
export const sigmoid = floatUnary("sigmoid", (g, _x, out) => g.mul(out.sub(out.square())));

export const neg = sameTypeUnary("neg", (g) => g.neg());
export const abs = sameTypeUnary("abs", (g, x) => g.mul(x.sign()));
export const square = sameTypeUnary("square", (g, x) => g.mul(x.mul(2)));
export const sign = sameTypeUnary("sign", (g) => g.mul(0));
// The mask x > 0 is a constant of the graph, so relu's second derivative is 0 (and 0 at x = 0).
export const relu = sameTypeUnary("relu", (g, x) => g.mul(x.gt(0).cast(g.dtype)));

export function logicalNot(x: Tensor): Tensor {
  return unaryRaw("not", x.dtype === "bool" ? x : x.bool(), "bool");
}

// ---- binary ops ----

type BinaryRule = (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null];

function binary(op: BinaryOp, rule: BinaryRule, floatOnly = false): (a: Tensor, b: TensorLike) => Tensor {
  return (a, b) => {
    let dt = resultDtype(op, a, b);
    if (floatOnly && !isFloat(dt)) dt = "float32";
    if (dt === "bool") dt = "int32";
    const A = a.dtype === dt ? a : cast(a, dt);
    const B0 = operand(op, b, a, dt);
    const B = B0.dtype === dt ? B0 : cast(B0, dt);
    const out = binaryRaw(op, A, B, dt);
    return record(out, op, [A, B], (g) => {
      const [ga, gb] = rule(g, A, B, out);
      return [ga && A.requiresGrad ? sumTo(ga, A.shape) : null, gb && B.requiresGrad ? sumTo(gb, B.shape) : null];
    });
  };
}

export const add = binary("add", (g) => [g, g]);
export const sub = binary("sub", (g, _a, b) => [g, b.requiresGrad ? g.neg() : null]);
export const mul = binary("mul", (g, a, b) => [a.requiresGrad ? g.mul(b) : null, b.requiresGrad ? g.mul(a) : null]);
export const div = binary(
  "div",
  (g, a, b, out) => [a.requiresGrad ? g.div(b) : null, b.requiresGrad ? g.mul(out).div(b).neg() : null],
  true,
);
export const pow = binary("pow", (g, a, b, out) => [
  a.requiresGrad ? g.mul(b).mul(a.pow(b.sub(1))) : null,
  // d/db a^b = a^b ln a, taken as 0 where a ≤ 0 (where ln a is undefined).
  b.requiresGrad ? g.mul(out).mul(where(a.gt(0), a.log(), 0)) : null,
]);

// Ties share the gradient equally, as in PyTorch.
function tieSplit(winner: Tensor, tie: Tensor, dtype: DType): Tensor {
  return winner.cast(dtype).add(tie.cast(dtype).mul(0.5));
}
export const maximum = binary("maximum", (g, a, b) => [
  a.requiresGrad ? g.mul(tieSplit(a.gt(b), a.eq(b), g.dtype)) : null,
  b.requiresGrad ? g.mul(tieSplit(b.gt(a), a.eq(b), g.dtype)) : null,
]);
export const minimum = binary("minimum", (g, a, b) => [
  a.requiresGrad ? g.mul(tieSplit(a.lt(b), a.eq(b), g.dtype)) : null,
  b.requiresGrad ? g.mul(tieSplit(b.lt(a), a.eq(b), g.dtype)) : null,
]);

export function compare(op: "lt" | "gt" | "le" | "ge" | "eq" | "ne", a: Tensor, b: TensorLike): Tensor {
  const dt = resultDtype(op, a, b);
  const A = a.dtype === dt ? a : cast(a, dt);
  const B0 = operand(op, b, a, dt);
  const B = B0.dtype === dt ? B0 : cast(B0, dt);
  return binaryRaw(op, A, B, "bool");
}

export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  let out = x;
  if (min !== undefined) out = binaryRaw("maximum", out, operand("clamp", min, x, x.dtype), x.dtype, "clamp");
  if (max !== undefined) out = binaryRaw("minimum", out, operand("clamp", max, x, x.dtype), x.dtype, "clamp");
  if (out === x) return x;
  return record(out, "clamp", [x], (g) => {
    let inside = g;
    if (min !== undefined) inside = inside.mul(x.ge(min).cast(g.dtype));
    if (max !== undefined) inside = inside.mul(x.le(max).cast(g.dtype));
    return [inside];
  });
}

/** Elementwise choice: `a` where `cond` is true, else `b` (broadcasting all three). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : cond;
  let dt: DType;
  if (a instanceof Tensor) dt = resultDtype("where", a, b);
  else if (b instanceof Tensor) dt = resultDtype("where", b, a);
  else dt = Number.isInteger(a) && Number.isInteger(b) ? "int32" : "float32";
  const A0 = operand("where", a, like, dt);
  const B0 = operand("where", b, like, dt);
  const A = A0.dtype === dt ? A0 : cast(A0, dt);
  const B = B0.dtype === dt ? B0 : cast(B0, dt);
  const C = cond.dtype === "bool" ? cond : cond.bool();
  const shape = broadcastShapes("where", broadcastShapes("where", C.shape, A.shape), B.shape);
  const be = A.storage.backend;
  const buf = be.where(broadcastView(C, shape), broadcastView(A, shape), broadcastView(B, shape), shape, dt);
  const out = Tensor.fromBuffer(be, buf, shape, dt);
  return record(out, "where", [A, B], (g) => [
    A.requiresGrad ? sumTo(where(C, g, 0), A.shape) : null,
    B.requiresGrad ? sumTo(where(C, 0, g), B.shape) : null,
  ]);
}
