// Every kind of figure, displayed by a cell through the real kernel: the bundle a frontend gets
// holds a static SVG, well-formed XML, titled, with one group per trace of the plotly spec.
import { DOMParser } from "@xmldom/xmldom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, outputsOf } from "./support/client.js";

const CELL = `
manualSeed(0);
const moons = data.moons({ n: 80, noise: 0.1, seed: 1 });
const bowl = (x: Tensor, y: Tensor) => x.square().add(y.square().mul(3));
const path = plot.descentPath(bowl, { start: [-1, 1], optimizer: (p) => new optim.SGD(p, { lr: 0.1 }), steps: 10, name: "SGD" });
const digits = await data.digits({ perClass: 1 });
const figures = {
  line: plot.line([1, 3, 2], { title: "line" }),
  fn: plot.fn(F.sigmoid, { derivative: true, title: "fn" }),
  scatter: plot.scatter(moons.x, { labels: moons.y, title: "scatter" }),
  histogram: plot.histogram(randn([200]), { title: "histogram" }),
  heatmap: plot.heatmap(randn([3, 5]), { title: "heatmap" }),
  images: plot.images(digits.x, { labels: digits.y, title: "images" }),
  contour: plot.contour(bowl, { title: "contour", paths: [path] }),
  surface: plot.surface(bowl, { title: "surface" }),
  decisionBoundary: plot.decisionBoundary(new nn.Sequential(new nn.Linear(2, 4, { activation: "tanh" }), new nn.Linear(4, 2)), moons.x, moons.y, { title: "decisionBoundary" }),
  loss: plot.loss({ loss: [1, 0.5], valLoss: [1.2, 0.6] }, { title: "loss" }),
};
for (const f of Object.values(figures)) display(f);
`;

describe("figures through the kernel", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await KernelClient.start();
  });
  afterAll(() => kernel.stop());

  it("every figure kind's bundle has a well-formed SVG with its title and the right number of traces", async () => {
    const r = await kernel.run(CELL);
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
    const shown = outputsOf(r, "display_data");
    expect(shown).toHaveLength(10);
    const titles: string[] = [];
    for (const out of shown) {
      const data = out.content.data as Record<string, unknown>;
      const svg = data["image/svg+xml"] as string;
      const spec = data["application/vnd.plotly.v1+json"] as { data: unknown[] };
      const errors: string[] = [];
      const doc = new DOMParser({ onError: (level, msg) => void (level !== "warning" && errors.push(msg)) }).parseFromString(svg, "image/svg+xml");
      expect(errors).toEqual([]);
      const title = doc.documentElement!.getElementsByTagName("title")[0]!.textContent!;
      titles.push(title);
      const traces = Array.from(doc.documentElement!.getElementsByTagName("g")).filter((g) => (g.getAttribute("class") ?? "").split(" ")[0] === "trace");
      expect(traces.length, title).toBe(spec.data.length);
      expect(data["text/html"] as string).toContain('class="gradlab-static"');
    }
    expect(titles).toEqual(["line", "fn", "scatter", "histogram", "heatmap", "images", "contour", "surface", "decisionBoundary", "loss"]);
  }, 120_000);
});
