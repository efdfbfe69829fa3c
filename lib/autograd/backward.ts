import { gradMode } from "./mode.js";
import { GradlabError, ShapeError, fmtShape } from "../tensor/errors.js";
import { sameShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { AllocationScope } from "./scope.js";
import { onesLike, tensorOn } from "../tensor/creation.js";
import type { NestedInput } from "../tensor/nested.js";

const NO_INPUTS: readonly Tensor[] = [];

/** Numbers each traversal's visit marks (Tensor._mark), so none needs a Set of its own. */
let traversal = 0;

/**
 * Tensors that lead to `root` through gradient-requiring edges, inputs before outputs; each
 * gets its position in `_slot`. Iterative (an explicit stack), so a 20,000-op chain cannot
 * overflow the call stack.
 */
function topoOrder(root: Tensor): Tensor[] {
  const mark = ++traversal;
  const order: Tensor[] = [];
  root._mark = mark;
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
      if (child.requiresGrad && child._mark !== mark) {
        child._mark = mark;
        stack.push(child);
        next.push(0);
      }
    } else {
      stack.pop();
      next.pop();
      t._slot = order.length;
      order.push(t);
    }
  }
  return order;
}

/** Where `t` sits in `order`: its `_slot`, unless another pass renumbered it meanwhile. */
function slotOf(order: readonly Tensor[], t: Tensor): number {
  const k = t._slot;
  return order[k] === t ? k : order.indexOf(t);
}

interface Propagation {
  createGraph: boolean;
  /**
   * Called with each tensor's total gradient; leaves and retained tensors store it. Outside
   * createGraph it gets the pass's allocation scope, through which it keeps what it stores.
   */
  visit: (t: Tensor, g: Tensor, scope: AllocationScope | null) => void;
  /** When set, only nodes that can reach one of these are expanded. */
  targets?: ReadonlySet<Tensor>;
}

function propagate(root: Tensor, makeSeed: () => Tensor, p: Propagation): Tensor[] {
  const order = topoOrder(root);
  const n = order.length;
  let reaches: boolean[] | null = null;
  if (p.targets) {
    reaches = new Array<boolean>(n).fill(false);
    for (let k = 0; k < n; k++) {
      const t = order[k]!;
      reaches[k] = p.targets.has(t) || (t.node !== null && t.node.inputs.some((i) => i.requiresGrad && reaches![slotOf(order, i)] === true));
    }
  }
  const prev = gradMode.enabled;
  gradMode.enabled = p.createGraph;
  // What a backward pass allocates (every rule's temporaries, partial sums, the seed) is freed
  // when it ends, unless kept as a gradient; with createGraph they are part of a new graph.
  const scope = p.createGraph ? null : new AllocationScope();
  try {
    // Each tensor's gradient so far, by its position in `order`.
    const grads = new Array<Tensor | null>(n).fill(null);
    grads[n - 1] = makeSeed();
    for (let k = n - 1; k >= 0; k--) {
      const t = order[k]!;
      const g = grads[k];
      if (!g) continue;
      grads[k] = null;
      p.visit(t, g, scope);
      const node = t.node;
      if (!node || (reaches && !reaches[k])) continue;
      const gs = node.vjp(g);
      for (let j = 0; j < node.inputs.length; j++) {
        const input = node.inputs[j]!;
        let gi = gs[j];
        if (!gi || !input.requiresGrad) continue;
        if (!sameShape(gi.shape, input.shape)) {
          throw new GradlabError(`internal: the gradient rule of ${node.op} gave shape ${fmtShape(gi.shape)} for an input of shape ${fmtShape(input.shape)}`);
        }
        if (gi.dtype !== input.dtype) gi = gi.cast(input.dtype);
        const at = slotOf(order, input);
        const acc = grads[at];
        grads[at] = acc ? acc.add(gi) : gi;
      }
    }
  } finally {
    gradMode.enabled = prev;
    scope?.end();
  }
  return order;
}

const FREED_AFTER_BACKWARD =
  "this intermediate value of an nn.Sequential was freed by backward(), which needs it only once; " +
  "to backpropagate through the same forward pass again, call backward({ retainGraph: true }) the first time " +
  "(and draw plot.graph before backward)";

function savedFreed(op: string): string {
  return `the values this ${op} saved for its gradient were freed by backward(), which needs them only once; to backpropagate through the same forward pass again, call backward({ retainGraph: true }) the first time`;
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

/**
 * Accumulates d(root)/d(leaf) into every leaf's `.grad` (and retained intermediates'), like
 * PyTorch; unless `retainGraph`, then frees the intermediate values only the graph holds.
 */
export function backward(root: Tensor, grad: Tensor | number | NestedInput | undefined, createGraph: boolean, retainGraph = createGraph): void {
  requireGraph("backward", root);
  const order = propagate(root, () => seedFor("backward", root, grad), {
    createGraph,
    visit: (t, g, scope) => {
      if (!t.retainsGrad) return;
      if (!scope) {
        const had = t.grad;
        t.grad = had ? had.add(g) : g;
        return;
      }
      const had = t._peekGrad();
      const total = scope.own(had ? had.detach().add(g) : g.detach());
      // The gradient the sum replaces goes now if the engine alone held it.
      if (had) t._releaseGrad();
      t._setOwnGrad(total);
    },
  });
  if (retainGraph) return;
  for (const t of order) {
    if (t._graphOnly && t.storage.holders === 1 && !t.storage.disposed) t.storage.dispose(FREED_AFTER_BACKWARD);
    const saved = t.node?.saved;
    if (saved) for (const s of saved) if (s.storage.holders === 1 && !s.storage.disposed) s.storage.dispose(savedFreed(t.node!.op));
  }
}

/** The gradients of `root` with respect to `inputs`, without touching any `.grad` (torch.autograd.grad). */
export function gradients(root: Tensor, inputs: readonly Tensor[], createGraph: boolean): (Tensor | null)[] {
  requireGraph("grad", root);
  const found = new Map<Tensor, Tensor>();
  const targets = new Set(inputs);
  propagate(root, () => seedFor("grad", root, undefined), {
    createGraph,
    targets,
    visit: (t, g, scope) => {
      if (targets.has(t)) found.set(t, scope ? scope.share(g) : g);
    },
  });
  return inputs.map((t) => found.get(t) ?? null);
}
