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
  const plots = outputs.filter((o) => o.data?.["application/vnd.plotly.v1+json"]).length;
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
