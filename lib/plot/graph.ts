import { Tensor } from "../tensor/tensor.js";
import { GradlabError } from "../tensor/errors.js";
import { escapeHtml } from "../display/sink.js";
import { gradients } from "../autograd/backward.js";

const OP_SYMBOL: Record<string, string> = {
  add: "+", sub: "−", mul: "×", div: "÷", pow: "^", neg: "−x", matmul: "@", exp: "exp", log: "log",
  tanh: "tanh", sigmoid: "σ", relu: "ReLU", sum: "Σ", mean: "mean", square: "x²", sqrt: "√",
};

interface GNode {
  id: number;
  t: Tensor;
  depth: number;
  row: number;
  label: string;
}

const MAX_NODES = 150;

function sig(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

async function valueText(t: Tensor | null | undefined): Promise<string> {
  if (!t) return "—";
  if (t.size === 1) return sig((await t.data())[0]!);
  return `[${t.shape.join("×")}]`;
}

/**
 * The computation graph behind `t` as an SVG (micrograd's draw_dot, for tensors): one box per
 * tensor with its value and gradient, one circle per op, arrows from inputs to outputs.
 * Pure SVG: no Graphviz binary needed.
 */
export class GraphFigure {
  constructor(readonly root: Tensor, readonly options: { title?: string } = {}) {
    if (!(root instanceof Tensor)) throw new GradlabError("plot.graph: pass a Tensor");
  }

  private collect(): { nodes: GNode[]; edges: [number, number][] } {
    const ids = new Map<Tensor, GNode>();
    const order: Tensor[] = [];
    const stack: Tensor[] = [this.root];
    while (stack.length) {
      const t = stack.pop()!;
      if (ids.has(t)) continue;
      if (ids.size >= MAX_NODES) throw new GradlabError(`plot.graph: the graph has more than ${MAX_NODES} tensors; draw a smaller computation (e.g. scalars, or a single layer)`);
      ids.set(t, { id: ids.size, t, depth: 0, row: 0, label: "" });
      order.push(t);
      for (const i of t.node?.inputs ?? []) stack.push(i);
    }
    // Depth = longest path from a leaf, found by relaxing in reverse discovery order.
    let changed = true;
    while (changed) {
      changed = false;
      for (const t of order) {
        const n = ids.get(t)!;
        for (const i of t.node?.inputs ?? []) {
          const d = ids.get(i)!.depth + 1;
          if (d > n.depth) {
            n.depth = d;
            changed = true;
          }
        }
      }
    }
    // A leaf (input or constant) sits just left of its earliest consumer, so its arrow does
    // not cross other ops on the way.
    for (const t of order) {
      for (const i of t.node?.inputs ?? []) {
        const leaf = ids.get(i)!;
        if (!i.node) leaf.depth = Math.max(leaf.depth, ids.get(t)!.depth - 1);
      }
    }
    for (const t of order) {
      for (const i of t.node?.inputs ?? []) {
        const leaf = ids.get(i)!;
        if (!i.node) leaf.depth = Math.min(leaf.depth, ids.get(t)!.depth - 1);
      }
    }
    const edges: [number, number][] = [];
    for (const t of order) for (const i of t.node?.inputs ?? []) edges.push([ids.get(i)!.id, ids.get(t)!.id]);
    const rowsPerDepth = new Map<number, number>();
    const nodes = [...ids.values()].sort((a, b) => a.depth - b.depth || a.id - b.id);
    for (const n of nodes) {
      n.row = rowsPerDepth.get(n.depth) ?? 0;
      rowsPerDepth.set(n.depth, n.row + 1);
    }
    return { nodes, edges };
  }

  /**
   * ∂root/∂node for every tensor in the graph when the root is a single value (what micrograd
   * shows), computed without touching any `.grad`; otherwise the stored `.grad`s.
   */
  private nodeGradients(nodes: GNode[]): Map<Tensor, Tensor | null> {
    const root = this.root;
    const tracked = nodes.filter((n) => n.t.requiresGrad).map((n) => n.t);
    if (root.size === 1 && root.requiresGrad && tracked.length) {
      const gs = gradients(root, tracked, false);
      return new Map(tracked.map((t, i) => [t, gs[i] ?? null]));
    }
    return new Map(nodes.map((n) => [n.t, n.t.grad]));
  }

  async svg(): Promise<string> {
    const { nodes, edges } = this.collect();
    const grads = this.nodeGradients(nodes);
    const colW = 230;
    const rowH = 86;
    const boxW = 150;
    const boxH = 46;
    const maxRow = Math.max(...nodes.map((n) => n.row));
    const maxDepth = Math.max(...nodes.map((n) => n.depth));
    const width = (maxDepth + 1) * colW + 20;
    const height = (maxRow + 1) * rowH + 30;
    const pos = new Map<number, { x: number; y: number }>();
    for (const n of nodes) pos.set(n.id, { x: 20 + n.depth * colW + 50, y: 20 + n.row * rowH });
    const parts: string[] = [];
    for (const [from, to] of edges) {
      const a = pos.get(from)!;
      const b = pos.get(to)!;
      const x1 = a.x + boxW;
      const y1 = a.y + boxH / 2;
      const x2 = b.x - 34;
      const y2 = b.y + boxH / 2;
      parts.push(`<path d="M${x1},${y1} C${x1 + 30},${y1} ${x2 - 30},${y2} ${x2},${y2}" fill="none" stroke="#888" stroke-width="1.4" marker-end="url(#arrow)"/>`);
    }
    for (const n of nodes) {
      const p = pos.get(n.id)!;
      const t = n.t;
      const value = await valueText(t);
      const gradient = await valueText(grads.get(t));
      const leaf = !t.node;
      const fill = leaf ? (t.requiresGrad ? "#e8f1fb" : "#f3f3f3") : "#fff";
      if (t.node) {
        const sym = OP_SYMBOL[t.node.op] ?? t.node.op;
        parts.push(`<circle cx="${p.x - 20}" cy="${p.y + boxH / 2}" r="16" fill="#fff4e0" stroke="#e08a00"/>`);
        parts.push(`<text x="${p.x - 20}" y="${p.y + boxH / 2 + 4}" text-anchor="middle" font-size="${sym.length > 3 ? 9 : 12}" fill="#7a4a00">${escapeHtml(sym)}</text>`);
        parts.push(`<line x1="${p.x - 4}" y1="${p.y + boxH / 2}" x2="${p.x}" y2="${p.y + boxH / 2}" stroke="#888"/>`);
      }
      parts.push(`<rect x="${p.x}" y="${p.y}" width="${boxW}" height="${boxH}" rx="6" fill="${fill}" stroke="${t === this.root ? "#d62728" : "#1f77b4"}" stroke-width="${t === this.root ? 2 : 1.2}"/>`);
      parts.push(`<text x="${p.x + 8}" y="${p.y + 19}" font-size="12" fill="#222">value ${escapeHtml(value)}</text>`);
      parts.push(`<text x="${p.x + 8}" y="${p.y + 36}" font-size="12" fill="#555">grad ${escapeHtml(gradient)}</text>`);
    }
    const title = this.options.title ? `<text x="10" y="14" font-size="13" font-weight="bold">${escapeHtml(this.options.title)}</text>` : "";
    return `<svg xmlns="http://www.w3.org/2000/svg" class="gradlab-graph" width="${width}" height="${height + (title ? 10 : 0)}" viewBox="0 ${title ? -10 : 0} ${width} ${height + (title ? 10 : 0)}" font-family="system-ui, sans-serif">` +
      `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>${title}${parts.join("")}</svg>`;
  }

  async summary(): Promise<string> {
    const { nodes } = this.collect();
    const ops = nodes.filter((n) => n.t.node).map((n) => n.t.node!.op);
    return `computation graph: ${nodes.length} tensors, ${ops.length} ops (${[...new Set(ops)].join(", ") || "none"})`;
  }

  async [Symbol.for("Jupyter.display")](): Promise<Record<string, unknown>> {
    const svg = await this.svg();
    // Frontends cap an SVG at the cell's width, which shrinks a wide graph's text to nothing:
    // keep its natural size and scroll sideways instead.
    const html = `<div class="gradlab-graph-scroll" style="overflow-x:auto;max-width:100%">${svg.replace("<svg ", '<svg style="max-width:none;height:auto" ')}</div>`;
    return { "image/svg+xml": svg, "text/html": html, "text/plain": `<${await this.summary()}>` };
  }
}

export function graph(t: Tensor, options: { title?: string } = {}): GraphFigure {
  return new GraphFigure(t, options);
}
