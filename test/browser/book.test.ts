import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { gradlab } from "../helpers/cli.js";
import { artifactDir, launchChromium } from "../helpers/browser.js";

// Three lessons keep the run short: the welcome page (no figures), one with plots and
// equations, one with images and heatmaps.
const site = join(mkdtempSync(join(tmpdir(), "gradlab-book-")), "site");
const lessons = ["00-welcome.ipynb", "03-activations.ipynb", "09-end-to-end.ipynb"];
const shots = artifactDir("book");
let browser: Browser;
let stderr = "";

beforeAll(async () => {
  const r = gradlab(["book", ...lessons.map((l) => join("notebooks", l)), "-o", site]);
  stderr = r.stderr;
  expect(r.code, r.stderr).toBe(0);
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  await browser?.close();
});

const pages = () => ["index.html", ...readdirSync(join(site, "lessons")).map((f) => join("lessons", f))];

describe("gradlab book: the lessons as a static site that opens offline", () => {
  it("writes an index and one page per lesson, and says where", () => {
    expect(stderr).toMatch(/gradlab book: 4 pages, \d+ figures → .*index\.html/);
    expect(readdirSync(join(site, "lessons")).sort()).toEqual(lessons.map((l) => l.replace(".ipynb", ".html")));
    expect(existsSync(join(site, "assets", "plotly.min.js"))).toBe(true);
  });

  it("every link and asset a page names exists in the site (relative paths only)", () => {
    for (const page of pages()) {
      const html = readFileSync(join(site, page), "utf8");
      const refs = [...html.matchAll(/(?:href|src)="([^"#]+)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith("data:"));
      expect(refs.length, page).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(ref, `${page} → ${ref}`).not.toMatch(/^(https?:)?\/\//);
        expect(existsSync(resolve(dirname(join(site, page)), ref)), `${page} → ${ref}`).toBe(true);
      }
    }
    // KaTeX's fonts, which its stylesheet names relative to itself.
    const css = readFileSync(join(site, "assets", "katex", "katex.min.css"), "utf8");
    const fonts = [...css.matchAll(/url\((fonts\/[^)]+\.woff2)\)/g)].map((m) => m[1]!);
    expect(fonts.length).toBeGreaterThan(10);
    for (const f of fonts) expect(existsSync(join(site, "assets", "katex", f)), f).toBe(true);
  });

  it("pages load in Chromium with no network: equations typeset, plots drawn by plotly.js", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const remote: string[] = [];
    const errors: string[] = [];
    await page.route(/^https?:/, (route) => {
      remote.push(route.request().url());
      return route.abort();
    });
    page.on("pageerror", (e) => errors.push(e.message));
    for (const p of pages()) {
      await page.goto(pathToFileURL(join(site, p)).href);
      const figures = await page.locator("script.figure-spec").count();
      if (figures) await page.waitForFunction((n) => document.querySelectorAll(".figure.js-plotly-plot .main-svg").length >= n, figures, { timeout: 60_000 });
      expect(await page.locator(".figure img.gradlab-static").count(), p).toBe(0);
      if (p.includes("03-activations")) {
        expect(await page.locator(".katex").count()).toBeGreaterThan(20);
        expect(figures).toBeGreaterThan(5);
        await page.locator(".figure").first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, "03-activations.png") });
      }
      // Links between lessons work from the file system.
      for (const href of await page.locator("a[href$='.html']").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) {
        expect(existsSync(new URL(href).pathname), href).toBe(true);
      }
    }
    expect(errors).toEqual([]);
    expect(remote).toEqual([]);
    await page.close();
  }, 180_000);

  it("with JavaScript off, every figure is its static image", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(site, "lessons", "09-end-to-end.html")).href);
    const figures = await page.locator("script.figure-spec").count();
    expect(figures).toBeGreaterThan(3);
    expect(await page.locator(".figure img.gradlab-static").count()).toBe(figures);
    await page.locator(".figure").first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, "09-end-to-end-no-js.png") });
    await context.close();
  }, 60_000);
});
