import { Tensor } from "../tensor/tensor.js";
import { linspace, tensor } from "../tensor/creation.js";
import { grad } from "../autograd/functional.js";
import type { NestedInput } from "../tensor/nested.js";
import { readValues, withValues, type Checkable, type Values } from "./values.js";
import { checkSameShape, mismatches, noticeable, type CheckResult, type CloseOptions } from "./compare.js";
import { fmtIndex, fmtNum, unravel } from "./format.js";
import { valueHints } from "./hints.js";
import { fail, label, pass } from "./report.js";

export type TensorFn = (x: Tensor) => Tensor;

export interface FunctionOptions extends Omit<CloseOptions, "hint"> {
  /** Where to compare: a tensor/array of inputs, or how many evenly spaced points in [from, to] (default 101). */
  points?: Checkable | number;
  /** Interval for evenly spaced points (default −5 … 5, which includes 0 exactly). */
  from?: number;
  to?: number;
}

function inputs(options: FunctionOptions, what: string): Tensor {
  const p = options.points ?? 101;
  if (typeof p === "number") {
    if (!Number.isInteger(p) || p < 1) fail(`check: points for ${what} must be a whole number ≥ 1 or the inputs themselves, got ${p}.`);
    return linspace(options.from ?? -5, options.to ?? 5, p);
  }
  if (p instanceof Tensor) return p.detach();
  readValues(p, `the points for ${what}`); // validates (ragged arrays, non-numbers) with a clear message
  return tensor(p as NestedInput);
}

/** Runs one side of the comparison, turning its exceptions into check failures. */
function evaluate(fn: unknown, x: Tensor, who: string): unknown {
  if (typeof fn !== "function") fail(`${who} is not a function (got ${fn === null ? "null" : typeof fn}).`, [], ["pass the function itself, e.g. `mySigmoid`, not `mySigmoid(x)`."]);
  try {
    return (fn as TensorFn)(x);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const hints = /not implemented/i.test(msg) ? ["replace the `// YOUR CODE HERE` line and the `throw` below it with your code."] : [];
    return fail(`${who} threw an error: ${msg}`, [], hints);
  }
}

/**
 * A student's tensor function agrees with a reference at many points. A failure reports the
 * first input where they differ, with both outputs. On a GPU backend the result must be awaited.
 */
export function fn(student: TensorFn, reference: TensorFn, options: FunctionOptions = {}): CheckResult {
  const what = label(options.name, "your function");
  const x = inputs(options, what);
  const a = evaluate(student, x, what);
  const e = evaluate(reference, x, "the reference");
  return withValues([[x, "the points"], [a, `${what}'s result`], [e, "the reference's result"]], ([xs, av, ev]) => compareAt(what, x, xs!, av!, ev!, options));
}

function compareAt(what: string, x: Tensor, xs: Values, a: Values, e: Values, options: FunctionOptions): void {
  checkSameShape(`${what}'s result for inputs of shape [${x.shape.join(", ")}]`, a, e);
  const tol = options.tol ?? 1e-4;
  const rtol = options.rtol ?? 1e-4;
  const { bad, maxDiff } = mismatches(a.data, e.data, tol, rtol);
  const range = xs.data.length > 1 ? ` (inputs from ${fmtNum(Math.min(...xs.data))} to ${fmtNum(Math.max(...xs.data))})` : "";
  if (bad.length === 0) {
    pass(`${what} matches the reference at ${e.data.length} points${range}${noticeable(maxDiff) ? `, largest difference ${fmtNum(maxDiff)}` : ""}`);
    return;
  }
  const elementwise = xs.data.length === e.data.length;
  const i = bad[0]!;
  const at = elementwise ? `x = ${fmtNum(xs.data[i]!)}` : `output element ${fmtIndex(unravel(i, e.shape))}`;
  const details = [
    `first difference at ${at}: yours ${fmtNum(a.data[i]!)}, reference ${fmtNum(e.data[i]!)}`,
    `${bad.length} of ${e.data.length} points differ by more than ${fmtNum(tol)} + ${fmtNum(rtol)}·|reference|`,
  ];
  const hints: string[] = [];
  if (elementwise) {
    const badX = bad.map((k) => xs.data[k]!);
    if (badX.every((v) => v === 0)) {
      hints.push("only x = 0 differs: the function has a kink there, so its value at exactly 0 is a convention. Check > versus ≥ in your condition (gradlab, like PyTorch, takes ReLU′(0) = 0 and leaky ReLU′(0) = the slope).");
    } else if (badX.every((v) => Math.abs(v) >= 20) && a.data.some((v) => !Number.isFinite(v))) {
      hints.push("only large |x| fails, with non-finite results: exp(x) overflows there. Rewrite the formula so exp only sees non-positive numbers.");
    }
  }
  hints.push(...valueHints(a.data, e.data, e.shape));
  fail(`${what} does not match the reference.`, details, hints);
}

/**
 * `studentDerivative(x)` equals f′(x) elementwise, with the reference derivative from autograd.
 * `f` must act elementwise (like an activation), so the gradient of f(x).sum() is f′ at each x.
 */
export function derivative(studentDerivative: TensorFn, f: TensorFn, options: FunctionOptions = {}): CheckResult {
  const reference = (x: Tensor) => grad((t: Tensor) => f(t).sum())(x);
  return fn(studentDerivative, reference, { ...options, name: label(options.name, "your derivative") });
}
