import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { gradlab } from "../helpers/cli.js";
import { artifactDir, launchChromium } from "../helpers/browser.js";

// Debian's Jupyter lives under /usr/bin/python3; the python3 first on PATH may lack it.
const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "gradlab-nbconvert-"));
const shots = artifactDir("nbconvert");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** A lesson executed by the gradlab kernel, then exported as nbconvert HTML. */
function executedHtml(lesson: string): { html: string; plots: number; svgs: number } {
  const executed = join(dir, lesson);
  const run = gradlab(["run", join("notebooks", lesson), "-o", executed]);
  expect(run.code, run.stderr).toBe(0);
  const nb = JSON.parse(readFileSync(executed, "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  // Every figure's HTML, also one inside a widget's fallback (an interact explorer), draws a plot.
  const plots = outputs.reduce((n, o) => n + (typeof o.data?.["text/html"] === "string" ? (o.data["text/html"] as string).split('class="gradlab-plot"').length - 1 : 0), 0);
  const svgs = outputs.filter((o) => typeof o.data?.["text/html"] === "string" && (o.data["text/html"] as string).includes("gradlab-graph")).length;
  const conv = spawnSync(PYTHON, ["-m", "nbconvert", "--to", "html", executed, "--output-dir", dir], { encoding: "utf8" });
  expect(conv.status, conv.stderr).toBe(0);
  return { html: join(dir, lesson.replace(/\.ipynb$/, ".html")), plots, svgs };
}

describe("lessons exported with nbconvert draw their plots offline in Chromium", () => {
  for (const lesson of ["03-activations.ipynb", "06-backprop.ipynb"]) {
    it(lesson, async () => {
      const { html, plots, svgs } = executedHtml(lesson);
      expect(plots + svgs).toBeGreaterThan(0);
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const remote: string[] = [];
      page.on("request", (r) => {
        if (/^https?:/.test(r.url())) remote.push(r.url());
      });
      await page.route(/^https?:/, (route) => route.abort());
      await page.goto(pathToFileURL(html).href);
      if (plots) await page.waitForFunction((n) => document.querySelectorAll(".js-plotly-plot .main-svg").length >= n, plots, { timeout: 60_000 });
      expect(await page.locator(".js-plotly-plot").count()).toBe(plots);
      expect(await page.locator(".js-plotly-plot .scatterlayer .trace, .js-plotly-plot .contourlayer, .js-plotly-plot .heatmaplayer image").count()).toBeGreaterThan(0);
      expect(await page.locator("svg.gradlab-graph").count()).toBe(svgs);
      await page.locator(".js-plotly-plot, svg.gradlab-graph").first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, lesson.replace(/\.ipynb$/, ".png")) });
      // Plotly comes inline with the first figure: no CDN request is made (nbconvert's own page
      // template may still reference require.js/MathJax from a CDN; those are aborted offline).
      expect(remote.filter((u) => /plotly/i.test(u))).toEqual([]);
      await page.close();
    }, 180_000);
  }
});

/** Share of a PNG's pixels that are not (nearly) white, measured in a page of its own. */
async function inkShare(png: Buffer): Promise<number> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [img.width, img.height];
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, img.width, img.height).data;
      let ink = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i]! < 235 || px[i + 1]! < 235 || px[i + 2]! < 235) ink++;
      return ink / (px.length / 4);
    }, `data:image/png;base64,${png.toString("base64")}`);
  } finally {
    await page.close();
  }
}

describe("the same pages with JavaScript disabled show every chart as a static image", () => {
  for (const lesson of ["03-activations.ipynb", "09-end-to-end.ipynb"]) {
    it(lesson, async () => {
      const { html, plots } = executedHtml(lesson);
      expect(plots).toBeGreaterThan(0);
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      await page.route(/^https?:/, (route) => route.abort());
      await page.goto(pathToFileURL(html).href);
      const images = page.locator("img.gradlab-static");
      expect(await images.count()).toBe(plots);
      expect(await page.locator(".js-plotly-plot").count()).toBe(0);
      for (let k = 0; k < plots; k++) {
        const img = images.nth(k);
        await img.scrollIntoViewIfNeeded();
        const box = (await img.boundingBox())!;
        expect(box.width).toBeGreaterThan(200);
        expect(box.height).toBeGreaterThan(50);
        const share = await inkShare(await img.screenshot());
        // A chart: axes, lines, filled areas; a blank or broken image would be all white.
        expect(share, `chart ${k} of ${lesson}: ${(100 * share).toFixed(1)}% ink`).toBeGreaterThan(0.01);
        if (k === 0) await page.screenshot({ path: join(shots, lesson.replace(/\.ipynb$/, "-no-js.png")) });
      }
      await context.close();
    }, 180_000);
  }
});
