import { describe, expect, it } from "vitest";
import { data, F, manualSeed, nn, optim, plot, tensor, train, Tensor } from "../../../lib/index.js";
import { DISPLAY_SINK, type MimeBundle } from "../../../lib/display/sink.js";

type Trace = Record<string, unknown> & { x?: number[]; y?: number[]; z?: unknown };

async function traces(fig: { spec(): Promise<{ data: Record<string, unknown>[] }> }): Promise<Trace[]> {
  return (await fig.spec()).data as Trace[];
}

describe("plot.fn and functions: the function and its autograd derivative", () => {
  it("samples 100 points on [-10, 10] and the derivative matches σ(1−σ)", async () => {
    const [f, d] = await traces(plot.fn(F.sigmoid, { derivative: true, name: "σ" }));
    expect(f!.x).toHaveLength(100);
    expect(f!.x![0]).toBe(-10);
    expect(f!.x![99]).toBe(10);
    expect(f!.name).toBe("σ(x)");
    expect(d!.name).toBe("σ′(x)");
    f!.x!.forEach((x, i) => {
      const s = 1 / (1 + Math.exp(-x));
      expect(f!.y![i]).toBeCloseTo(s, 5);
      expect(d!.y![i]).toBeCloseTo(s * (1 - s), 5);
    });
  });

  it("functions() draws several with their derivatives; errors name what is wrong", async () => {
    const ts = await traces(plot.functions([{ f: F.tanh, name: "tanh" }, { f: F.relu, name: "relu" }], { from: -2, to: 2, samples: 5, derivative: true }));
    expect(ts.map((t) => t.name)).toEqual(["tanh(x)", "tanh′(x)", "relu(x)", "relu′(x)"]);
    expect(ts[3]!.y).toEqual([0, 0, 0, 1, 1]);
    expect(() => plot.fn((x: Tensor) => x.sum())).toThrow(/must work elementwise/);
    expect(() => plot.fn(F.relu, { from: 1, to: 0 })).toThrow(/need from < to/);
  });
});

describe("basic figures", () => {
  it("line accepts tensors, arrays and several series", async () => {
    const [a] = await traces(plot.line(tensor([3, 1, 2])));
    expect(a!.x).toEqual([0, 1, 2]);
    expect(a!.y).toEqual([3, 1, 2]);
    const two = await traces(plot.line([{ x: [0, 1], y: [1, 2], name: "a" }, { y: tensor([5, 6]), name: "b" }]));
    expect(two.map((t) => t.name)).toEqual(["a", "b"]);
  });

  // Checked when the plot is made, from tensors' shapes, so the error points at the cell's line
  // rather than surfacing only when the figure is drawn.
  it("line and scatter reject inputs of different lengths when called", () => {
    expect(() => plot.line([1, 2], [1])).toThrow(/plot.line: x has 2 values but y has 1/);
    expect(() => plot.line(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(/x has 3 values but y has 2/);
    expect(() => plot.line([{ y: [1] }, { x: [1, 2], y: [1], name: "val" }])).toThrow(/x has 2 values but y has 1 \(series "val"\)/);
    expect(() => plot.scatter([1, 2, 3], tensor([4, 5]))).toThrow(/plot.scatter: x has 3 values but y has 2/);
    expect(() => plot.scatter([1, 2], [3, 4], { labels: [0] })).toThrow(/plot.scatter: 1 labels for 2 points/);
    expect(() => plot.scatter(tensor([[0, 0], [1, 1]]), { labels: [0, 1, 1] })).toThrow(/3 labels for 2 points/);
    expect(() => plot.scatter([1, 2], [3, 4], { labels: [0, 1] })).not.toThrow();
  });

  it("scatter colours points by class", async () => {
    const ts = await traces(plot.scatter(tensor([[0, 0], [1, 1], [2, 2]]), { labels: [0, 1, 0] }));
    expect(ts.map((t) => t.name)).toEqual(["class 0", "class 1"]);
    expect(ts[0]!.x).toEqual([0, 2]);
    expect(ts[1]!.y).toEqual([1]);
  });

  it("histogram, heatmap and images", async () => {
    const [h] = await traces(plot.histogram([1, 2, 2, 3], { bins: 3 }));
    expect(h!.type).toBe("histogram");
    expect(h!.nbinsx).toBe(3);
    const [m] = await traces(plot.heatmap(tensor([[1, 2], [3, 4]])));
    expect(m!.z).toEqual([[1, 2], [3, 4]]);
    const [im] = await traces(plot.images(tensor(new Float32Array(3 * 4)).reshape(3, 4), { imageShape: [2, 2], cols: 2 }));
    // 2 rows × 2 columns of 2×2 images with 1-pixel gaps: 5 × 5.
    expect((im!.z as unknown[][]).length).toBe(5);
    expect((im!.z as unknown[][])[0]!.length).toBe(5);
    expect(() => plot.images(tensor(new Float32Array(10)).reshape(2, 5))).toThrow(/are not 28×28 images/);
    expect(() => plot.images(tensor(new Float32Array(3 * 4)).reshape(3, 4), { imageShape: [2, 2], labels: [1, 2] })).toThrow(/plot.images: 2 labels for 3 images/);
  });

  it("summaries say so when there is nothing finite to span (not 'in [Infinity, -Infinity]')", async () => {
    expect(await plot.line([]).summary()).toBe("1 line, 0 points, y with no finite values");
    expect(await plot.line([NaN, 1, Infinity, 3]).summary()).toBe("1 line, 4 points, y in [1, 3]");
    expect(await plot.histogram([]).summary()).toBe("histogram of 0 values with no finite values");
    expect(await plot.histogram([1, 3]).summary()).toBe("histogram of 2 values in [1, 3], mean 2");
    expect(await plot.heatmap(tensor([[NaN]])).summary()).toBe("heatmap 1×1, values with no finite values");
  });

  it("loss(history) draws loss and valLoss per epoch", async () => {
    const ts = await traces(plot.loss({ loss: [1, 0.5, 0.25], valLoss: [1.1, 0.7, 0.6] }));
    expect(ts.map((t) => t.name)).toEqual(["loss", "valLoss"]);
    expect(ts[0]!.x).toEqual([1, 2, 3]);
  });
});

describe("surfaces and optimizer paths", () => {
  const bowl = (x: Tensor, y: Tensor) => x.square().add(y.square().mul(10));

  it("contour evaluates f on the grid, rows along y", async () => {
    const [c] = await traces(plot.contour(bowl, { x: [-1, 1], y: [-2, 2], samples: 3 }));
    expect(c!.x).toEqual([-1, 0, 1]);
    expect(c!.y).toEqual([-2, 0, 2]);
    expect(c!.z).toEqual([[41, 40, 41], [1, 0, 1], [41, 40, 41]]);
  });

  it("descentPath follows gradient descent step by step", () => {
    const path = plot.descentPath(bowl, { start: [1, 1], optimizer: (p) => new optim.SGD(p, { lr: 0.01 }), steps: 2, name: "GD" });
    expect(path.name).toBe("GD");
    expect(path.points).toHaveLength(3);
    // one step: x ← x − 0.01·2x = 0.98, y ← y − 0.01·20y = 0.8
    expect(path.points[1]![0]).toBeCloseTo(0.98, 6);
    expect(path.points[1]![1]).toBeCloseTo(0.8, 6);
  });

  it("contour and surface draw paths on top", async () => {
    const paths = [plot.descentPath(bowl, { start: [1, 1], optimizer: (p) => new optim.Adam(p, { lr: 0.1 }), steps: 5 })];
    const c = await traces(plot.contour(bowl, { paths }));
    expect(c[1]!.name).toBe("Adam");
    const s = await traces(plot.surface(bowl, { paths, samples: 10 }));
    expect(s[1]!.type).toBe("scatter3d");
    expect((s[1]!.z as number[])[0]).toBeCloseTo(11, 4);
  });

  it("decisionBoundary colours the plane by the model's predicted class", async () => {
    manualSeed(0);
    const ds = data.blobs({ n: 60, centers: 2, std: 0.3, seed: 1 });
    const model = new nn.Sequential(new nn.Linear(2, 8, { activation: "relu" }), new nn.Linear(8, 2));
    await train.fit(model, ds, { epochs: 30, batchSize: 20, display: false });
    const fig = plot.decisionBoundary(model, ds.x, ds.y, { resolution: 30 });
    const [region, ...points] = await traces(fig);
    expect((region!.z as number[][]).length).toBe(30);
    expect(new Set((region!.z as number[][]).flat())).toEqual(new Set([0, 1]));
    expect(points).toHaveLength(2);
    expect(await fig.summary()).toMatch(/2 classes over a 30×30 grid; 60 points, about (9\d|100)% inside their class region/);
    expect(() => plot.decisionBoundary(model, ds.x, tensor([0, 1]))).toThrow(/plot.decisionBoundary: 2 labels for 60 points/);
  });
});

describe("the MIME bundle", () => {
  it("has plotly JSON, HTML with its own container, and readable text", async () => {
    const b = await plot.line([1, 2, 3], { title: "demo" })[Symbol.for("Jupyter.display")]();
    expect(b["application/vnd.plotly.v1+json"]).toHaveProperty("data");
    expect(b["text/plain"]).toBe("<Figure line: demo: 1 line, 3 points, y in [1, 3]>");
    const html = b["text/html"] as string;
    expect(html).toMatch(/<div id="gradlab-plot-[^"]+" class="gradlab-plot"/);
  });

  it("inlines plotly.js once per session, until includePlotlyAgain()", async () => {
    plot.includePlotlyAgain();
    const first = (await plot.line([1])[Symbol.for("Jupyter.display")]())["text/html"] as string;
    const second = (await plot.line([1])[Symbol.for("Jupyter.display")]())["text/html"] as string;
    // plotly.js gzipped and base64-encoded: 4.8 MB of source in under 2 MB.
    expect(first.length).toBeGreaterThan(1_500_000);
    expect(first.length).toBeLessThan(2_500_000);
    expect(first).toContain('new DecompressionStream("gzip")');
    expect(second.length).toBeLessThan(20_000);
    expect(first).toContain("window.define=undefined");
    plot.includePlotlyAgain();
    expect(((await plot.line([1])[Symbol.for("Jupyter.display")]())["text/html"] as string).length).toBeGreaterThan(1_500_000);
  });

  it("escapes < in the inlined data, so a title cannot end the script", async () => {
    const html = (await plot.line([1], { title: "</script><b>x" })[Symbol.for("Jupyter.display")]())["text/html"] as string;
    const script = html.slice(html.lastIndexOf("<script>"));
    expect(script).not.toContain("</script><b>");
    expect(script).toContain("\\u003c/script>");
  });

  it("every figure gets a unique container id", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const html = (await plot.line([i])[Symbol.for("Jupyter.display")]())["text/html"] as string;
      ids.add(/id="([^"]+)"/.exec(html)![1]!);
    }
    expect(ids.size).toBe(10);
  });
});

describe("live updates and the fit display use the display sink", () => {
  function installSink() {
    const events: { kind: "display" | "update"; id: string; bundle: MimeBundle }[] = [];
    (globalThis as Record<symbol, unknown>)[DISPLAY_SINK] = {
      display: (bundle: MimeBundle, o?: { id?: string }) => void events.push({ kind: "display", id: o?.id ?? "", bundle }),
      update: (id: string, bundle: MimeBundle) => void events.push({ kind: "update", id, bundle }),
    };
    return events;
  }
  const removeSink = () => delete (globalThis as Record<symbol, unknown>)[DISPLAY_SINK];

  it("live(): first push displays, later pushes update the same id (throttled), done() draws the end", async () => {
    const events = installSink();
    try {
      const live = plot.live({ minInterval: 60_000 });
      live.push({ loss: 1 });
      for (let i = 0; i < 50; i++) live.push({ loss: 1 / (i + 2) });
      await live.done();
      expect(events[0]!.kind).toBe("display");
      expect(events.slice(1).every((e) => e.kind === "update" && e.id === events[0]!.id)).toBe(true);
      expect(events.length).toBe(2);
      const spec = events.at(-1)!.bundle["application/vnd.plotly.v1+json"] as { data: Trace[] };
      expect(spec.data[0]!.y).toHaveLength(51);
    } finally {
      removeSink();
    }
  });

  it("train.fit shows a progress bar and a live loss curve, updated in place", async () => {
    const events = installSink();
    try {
      manualSeed(0);
      const net = new nn.Linear(2, 2);
      await train.fit(net, data.xor(), { epochs: 5, batchSize: 2 });
      const displays = events.filter((e) => e.kind === "display");
      expect(displays).toHaveLength(2);
      const bar = displays[0]!;
      expect(bar.bundle["text/plain"]).toMatch(/0%  epoch 1\/5/);
      const finalBar = events.filter((e) => e.id === bar.id).at(-1)!;
      expect(finalBar.bundle["text/plain"]).toMatch(/100%  5 epochs in \d+s · loss [\d.]+ · accuracy/);
      const curve = events.filter((e) => e.id === displays[1]!.id).at(-1)!;
      const spec = curve.bundle["application/vnd.plotly.v1+json"] as { data: Trace[] };
      expect(spec.data[0]!.y).toHaveLength(5);
      // A fast run is not redrawn for every batch.
      expect(events.length).toBeLessThan(10);
    } finally {
      removeSink();
    }
  });

  it("without a sink, fit shows nothing and live() only collects", async () => {
    const live = plot.live();
    live.push({ loss: 2 });
    await live.done();
    expect((await live.figure().spec()).data[0]!["y"]).toEqual([2]);
  });
});

describe("rich reprs", () => {
  it("a tensor shows as an HTML table with a shape/dtype/device header, elided when large", async () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = await x.mul(2)[Symbol.for("Jupyter.display")]();
    expect(b["text/html"]).toContain("shape [2, 2] · float32 · cpu · gradFn mul");
    expect(b["text/html"]).toContain("<td style=\"padding:2px 8px;text-align:right;font-family:monospace;border:1px solid #ddd\">8.</td>");
    const big = await tensor(new Float32Array(10_000)).reshape(100, 100)[Symbol.for("Jupyter.display")]();
    expect((big["text/html"]!.match(/<td/g) ?? []).length).toBe(11 * 11);
  });

  it("a history shows as its loss curve, with the table as text", async () => {
    manualSeed(0);
    const h = await train.fit(new nn.Linear(2, 2), data.xor(), { epochs: 2, display: false });
    const b = await h[Symbol.for("Jupyter.display")]();
    expect(b["application/vnd.plotly.v1+json"]).toBeTruthy();
    expect(b["text/plain"]).toMatch(/^History \(2 epochs\)/);
  });

  it("graph draws one box per tensor with value and gradient", async () => {
    const a = tensor(2, { requiresGrad: true });
    const b = tensor(-3, { requiresGrad: true });
    const e = a.mul(b).add(10).tanh();
    e.backward();
    const g = plot.graph(e);
    const svg = await g.svg();
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("value 2");
    const dTanh = 1 - Math.tanh(4) ** 2;
    expect(svg).toContain(`grad ${Number((-3 * dTanh).toPrecision(4))}<`); // ∂e/∂a = b·tanh′
    expect(svg).toContain(`grad ${Number(dTanh.toPrecision(4))}<`); // intermediate nodes show ∂e/∂node too
    expect(svg).toContain("value 0.9993<");
    expect((svg.match(/<rect/g) ?? []).length).toBe(6); // a, b, a·b, the constant 10, sum, tanh
    expect(await g.summary()).toBe("computation graph: 6 tensors, 3 ops (mul, add, tanh)");
  });
});
