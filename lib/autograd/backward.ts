import { gradMode } from "./mode.js";
import { GradlabError, ShapeError, fmtShape } from "../tensor/errors.js";
import { sameShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { onesLike, tensorOn } from "../tensor/creation.js";
import type { NestedInput } from "../tensor/nested.js";

const NO_INPUTS: readonly Tensor[] = [];

/**
 * Tensors that lead to `root` through gradient-requiring edges, inputs before outputs.
 * Iterative (an explicit stack), so a 20,000-op chain cannot overflow the call stack.
 */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top]!;
    const inputs = t.node ? t.node.inputs : NO_INPUTS;
    const i = next[top]!;
    if (i < inputs.length) {
      next[top] = i + 1;
      const child = inputs[i]!;
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push(child);
        next.push(0);
      }
    } else {
      stack.pop();
      next.pop();
      order.push(t);
    }
  }
  return order;
}

interface Propagation {
  createGraph: boolean;
  /** Called with each tensor's total gradient; leaves and retained tensors store it. */
  visit: (t: Tensor, g: Tensor) => void;
  /** When set, only nodes that can reach one of these are expanded. */
  targets?: ReadonlySet<Tensor>;
}

function propagate(root: Tensor, seed: Tensor, p: Propagation): void {
  const order = topoOrder(root);
  let reaches: Set<Tensor> | null = null;
  if (p.targets) {
    reaches = new Set();
    for (const t of order) {
      if (p.targets.has(t) || (t.node && t.node.inputs.some((i) => reaches!.has(i)))) reaches.add(t);
    }
  }
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const prev = gradMode.enabled;
  gradMode.enabled = p.createGraph;
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      p.visit(t, g);
      const node = t.node;
      if (!node || (reaches && !reaches.has(t))) continue;
      const gs = node.vjp(g);
      for (let j = 0; j < node.inputs.length; j++) {
        const input = node.inputs[j]!;
        let gi = gs[j];
        if (!gi || !input.requiresGrad) continue;
        if (!sameShape(gi.shape, input.shape)) {
          throw new GradlabError(`internal: the gradient rule of ${node.op} gave shape ${fmtShape(gi.shape)} for an input of shape ${fmtShape(input.shape)}`);
        }
        if (gi.dtype !== input.dtype) gi = gi.cast(input.dtype);
        const acc = grads.get(input);
        grads.set(input, acc ? acc.add(gi) : gi);
      }
    }
  } finally {
    gradMode.enabled = prev;
  }
}

function seedFor(op: string, root: Tensor, grad: Tensor | number | NestedInput | undefined): Tensor {
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new ShapeError(
        `${op}: the output has shape ${fmtShape(root.shape)}; backward() without an argument needs a single-element tensor such as a loss. Reduce it first (.sum() or .mean()) or pass a gradient of shape ${fmtShape(root.shape)}`,
      );
    }
    return onesLike(root);
  }
  // On the output's backend, which need not be the current one (plot.descentPath runs on the CPU).
  const g = grad instanceof Tensor ? grad : tensorOn(root.backend, grad, { dtype: root.dtype });
  if (!sameShape(g.shape, root.shape)) {
    throw new ShapeError(`${op}: the gradient has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(root.shape)}; they must match`);
  }
  return g.dtype === root.dtype ? g : g.cast(root.dtype);
}

function requireGraph(op: string, root: Tensor): void {
  if (!root.requiresGrad) {
    throw new GradlabError(
      `${op}: this tensor does not require gradients, so there is nothing to differentiate. Create the inputs you want gradients for with { requiresGrad: true }, e.g. tensor([1, 2], { requiresGrad: true }), and compute the result from them (outside noGrad)`,
    );
  }
}

/** Accumulates d(root)/d(leaf) into every leaf's `.grad` (and retained intermediates'), like PyTorch. */
export function backward(root: Tensor, grad: Tensor | number | NestedInput | undefined, createGraph: boolean): void {
  requireGraph("backward", root);
  const seed = seedFor("backward", root, grad);
  propagate(root, seed, {
    createGraph,
    visit: (t, g) => {
      if (!t.retainsGrad) return;
      const stored = createGraph ? g : g.detach();
      t.grad = t.grad ? (createGraph ? t.grad.add(stored) : t.grad.detach().add(stored).detach()) : stored;
    },
  });
}

/** The gradients of `root` with respect to `inputs`, without touching any `.grad` (torch.autograd.grad). */
export function gradients(root: Tensor, inputs: readonly Tensor[], createGraph: boolean): (Tensor | null)[] {
  requireGraph("grad", root);
  const seed = seedFor("grad", root, undefined);
  const found = new Map<Tensor, Tensor>();
  const targets = new Set(inputs);
  propagate(root, seed, {
    createGraph,
    targets,
    visit: (t, g) => {
      if (targets.has(t)) found.set(t, g);
    },
  });
  return inputs.map((t) => found.get(t) ?? null);
}
