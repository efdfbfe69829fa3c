import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { F, optim, plot, tensor, Tensor } from "../../../lib/index.js";
import { artifactDir, launchChromium } from "../../helpers/browser.js";

let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), "gradlab-plot-"));
const shots = artifactDir("plots");

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function open(html: string, name: string) {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  // Offline: any network request would mean a CDN slipped in.
  const requests: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);
  return { page, requests };
}

describe("figures draw in a real browser, offline", () => {
  it("a function and its derivative: two traces in a plotly chart", async () => {
    const { page, requests } = await open(await plot.fn(F.tanh, { derivative: true, title: "tanh and its derivative" }).toHTML(), "fn");
    await page.waitForSelector(".js-plotly-plot .scatterlayer .trace", { timeout: 30_000 });
    expect(await page.locator(".scatterlayer .trace").count()).toBe(2);
    expect(await page.locator(".legendtext").allTextContents()).toEqual(["tanh(x)", "tanh′(x)"]);
    await page.screenshot({ path: join(shots, "fn-derivative.png") });
    expect(requests).toEqual([]);
    await page.close();
  });

  it("a contour with three optimizer paths", async () => {
    const f = (x: Tensor, y: Tensor) => x.square().add(y.square().mul(10));
    const paths = [
      plot.descentPath(f, { start: [-1.5, 1], optimizer: (p) => new optim.SGD(p, { lr: 0.02 }), steps: 40, name: "gradient descent" }),
      plot.descentPath(f, { start: [-1.5, 1], optimizer: (p) => new optim.SGD(p, { lr: 0.02, momentum: 0.8 }), steps: 40, name: "momentum" }),
      plot.descentPath(f, { start: [-1.5, 1], optimizer: (p) => new optim.Adam(p, { lr: 0.1 }), steps: 40, name: "Adam" }),
    ];
    const { page } = await open(await plot.contour(f, { paths, title: "x² + 10y²" }).toHTML(), "contour");
    await page.waitForSelector(".js-plotly-plot .contourlayer", { timeout: 30_000 });
    expect(await page.locator(".scatterlayer .trace").count()).toBe(3);
    await page.screenshot({ path: join(shots, "contour-paths.png") });
    await page.close();
  });

  it("a notebook-like page: plotly.js inlined once, require.js present, ten outputs all drawn", async () => {
    plot.includePlotlyAgain();
    const outputs: string[] = [];
    for (let i = 0; i < 10; i++) {
      const b = await plot.line(tensor([0, i, i * i]), { title: `plot ${i}`, height: 200 })[Symbol.for("Jupyter.display")]();
      outputs.push(`<div class="output">${b["text/html"] as string}</div>`);
    }
    // Notebook 6 defines an AMD `define`; plotly must still end up on window.Plotly.
    const amd = `<script>window.define=function(){window.__amdUsed=true};window.define.amd={};</script>`;
    const html = `<!doctype html><html><head><meta charset="utf-8">${amd}</head><body>${outputs.join("\n")}</body></html>`;
    expect(html.length).toBeLessThan(5_200_000);
    const { page } = await open(html, "notebook-like");
    await page.waitForFunction(() => document.querySelectorAll(".js-plotly-plot").length === 10, undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { __amdUsed?: boolean }).__amdUsed ?? false)).toBe(false);
    expect(await page.locator(".gtitle").allTextContents()).toEqual(Array.from({ length: 10 }, (_, i) => `plot ${i}`));
    await page.screenshot({ path: join(shots, "ten-plots.png"), fullPage: true });
    await page.close();
  });

  it("the computation graph renders as SVG", async () => {
    const a = tensor(2, { requiresGrad: true });
    const b = tensor(-3, { requiresGrad: true });
    const out = a.mul(b).add(10).tanh();
    out.backward();
    const bundle = await plot.graph(out)[Symbol.for("Jupyter.display")]();
    const { page } = await open(`<!doctype html><body>${bundle["text/html"] as string}</body>`, "graph");
    expect(await page.locator("svg.gradlab-graph rect").count()).toBe(6);
    await page.screenshot({ path: join(shots, "graph.png") });
    await page.close();
  });
});
