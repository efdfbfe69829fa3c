import { describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import { F, data, manualSeed, nn, optim, plot, randn, tensor, type Tensor } from "../../../lib/index.js";
import type { Figure } from "../../../lib/plot/figure.js";
import { colorAt, colorScale } from "../../../lib/plot/svg/colors.js";
import { encodePng } from "../../../lib/plot/svg/png.js";
import { niceTicks } from "../../../lib/plot/svg/scale.js";

/** Every kind of figure gradlab makes, titled, with its expected number of traces. */
async function figures(): Promise<[string, Figure][]> {
  manualSeed(0);
  const moons = data.moons({ n: 120, noise: 0.1, seed: 1 });
  const bowl = (x: Tensor, y: Tensor) => x.square().mul(0.5).add(y.square().mul(2));
  const path = plot.descentPath(bowl, { start: [-1.5, 1], optimizer: (p) => new optim.SGD(p, { lr: 0.2 }), steps: 15, name: "SGD" });
  const model = new nn.Sequential(new nn.Linear(2, 8, { activation: "tanh" }), new nn.Linear(8, 2));
  const digits = await data.digits({ perClass: 2 });
  const live = plot.live({ title: "live" });
  for (const loss of [1, 0.5, 0.3]) live.push({ loss });
  return [
    ["line", plot.line([{ y: [1, 3, 2], name: "a" }, { y: [2, 1, 3], name: "b" }], { title: "line" })],
    ["fn", plot.fn(F.tanh, { derivative: true, title: "fn" })],
    ["functions", plot.functions([F.relu, F.sigmoid], { title: "functions" })],
    ["scatter", plot.scatter(moons.x, { labels: moons.y, title: "scatter" })],
    ["histogram", plot.histogram(randn([300]), { title: "histogram" })],
    ["heatmap", plot.heatmap(randn([4, 6]), { title: "heatmap" })],
    ["images", plot.images(digits.x, { labels: digits.y, title: "images" })],
    ["contour", plot.contour(bowl, { title: "contour", paths: [path] })],
    ["surface", plot.surface(bowl, { title: "surface", paths: [path] })],
    ["decisionBoundary", plot.decisionBoundary(model, moons.x, moons.y, { title: "decisionBoundary" })],
    ["loss", plot.loss({ loss: [1, 0.6, 0.4], valLoss: [1.1, 0.7, 0.5] }, { title: "loss" })],
    ["live", live.figure()],
  ];
}

describe("static SVG beside every figure", () => {
  it("every figure kind gives well-formed SVG with its title and one group per trace, in the bundle and behind the HTML", async () => {
    for (const [title, fig] of await figures()) {
      const bundle = await fig.mimeBundle();
      const svg = bundle["image/svg+xml"] as string;
      const errors: string[] = [];
      const doc = new DOMParser({ onError: (level, msg) => void (level !== "warning" && errors.push(msg)) }).parseFromString(svg, "image/svg+xml");
      expect(errors, `${title}: ${errors.join("; ")}`).toEqual([]);
      const root = doc.documentElement!;
      expect(root.nodeName).toBe("svg");
      expect(root.getElementsByTagName("title")[0]!.textContent).toBe(title);
      const traces = Array.from(root.getElementsByTagName("g")).filter((g) => (g.getAttribute("class") ?? "").split(" ").includes("trace"));
      const spec = bundle["application/vnd.plotly.v1+json"] as { data: unknown[] };
      expect(traces.length, title).toBe(spec.data.length);
      expect(svg.length, `${title}: ${svg.length} bytes`).toBeLessThanOrEqual(100 * 1024);
      // The HTML shows the same picture until plotly.js replaces it (or for good without scripts).
      const html = bundle["text/html"] as string;
      const src = /<img class="gradlab-static" alt="[^"]*" src="([^"]+)"/.exec(html)?.[1];
      expect(src, title).toBeDefined();
      expect(decodeURIComponent(src!.replace(/^data:image\/svg\+xml,/, ""))).toBe(svg);
      expect(html).toMatch(/querySelector\("\.gradlab-static"\);if\(s\)s\.remove\(\)/);
    }
  });

  it("draws what the data says: a line's points, a heatmap's cells, a histogram's bars", async () => {
    const line = await plot.line([{ x: [0, 1, 2], y: [0, 1, 0], name: "v" }], { title: "v shape" }).svg();
    const d = /class="trace scatter"><path d="([^"]+)"/.exec(line)![1]!;
    const pts = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(pts).toHaveLength(3);
    // Up then down: the middle point is highest (smallest y on screen), the ends level.
    expect(pts[1]![1]).toBeLessThan(pts[0]![1]!);
    expect(pts[2]![1]).toBeCloseTo(pts[0]![1]!, 5);
    expect(pts[1]![0]! - pts[0]![0]!).toBeCloseTo(pts[2]![0]! - pts[1]![0]!, 5);

    const hist = await plot.histogram(tensor([0, 0, 0, 1]), { title: "h", bins: 2 } as never).svg();
    const bars = /class="trace histogram">(.*?)<\/g><\/g>/.exec(hist)![1]!;
    const heights = [...bars.matchAll(/height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights.filter((h) => h > 0).sort((a, b) => a - b)).toHaveLength(2);
    const [small, big] = heights.filter((h) => h > 0).sort((a, b) => a - b);
    expect(big! / small!).toBeCloseTo(3, 1);

    const heat = await plot.heatmap(tensor([[0, 1], [1, 0]]), { title: "checker" }).svg();
    expect(heat).toMatch(/<image [^>]*href="data:image\/png;base64,/);
  });

  it("PNG rasters, colour scales and ticks hold up on their own", () => {
    const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(Buffer.from(png.subarray(12, 16)).toString()).toBe("IHDR");
    const viridis = colorScale("Viridis");
    expect(colorAt(viridis, 0).map(Math.round)).toEqual([0x44, 0x01, 0x54]);
    expect(colorAt(viridis, 1).map(Math.round)).toEqual([0xfd, 0xe7, 0x25]);
    expect(colorAt(colorScale("Greys", true), 0).map(Math.round)).toEqual([255, 255, 255]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-3, 3, 6)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  });
});
