import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { freePort } from "../helpers/net.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { gradlab, ROOT } from "../helpers/cli.js";
import { artifactDir, launchChromium } from "../helpers/browser.js";

const token = "gradlab-test-" + Math.random().toString(36).slice(2);
// A copy, so JupyterLab's autosave never writes outputs into the repository's lessons.
const work = mkdtempSync(join(tmpdir(), "gradlab-lab-"));
const lesson = "03-activations.ipynb";
let port = 0;
let lab: ChildProcess;
let browser: Browser;

async function waitForServer(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/kernelspecs?token=${token}`);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("JupyterLab did not start");
}

let log = "";

// A notebook with a slider driving a plot through interact (written here, run in the lab).
const widgetsNotebook = "widgets.ipynb";
const WIDGET_CELL = [
  'const a = new widgets.FloatSlider({ value: 1, min: 0.5, max: 3, step: 0.5, description: "slope" });',
  "await widgets.interact(({ a }) => plot.line([0, 1, 2, 3].map((x) => a * x), { title: `slope ${a}` }), { a })",
].join("\n");

function writeWidgetsNotebook(): void {
  const nb = {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "gradlab", display_name: "TypeScript (gradlab)", language: "typescript" } },
    cells: [{ cell_type: "code", id: "slider", metadata: {}, execution_count: null, outputs: [], source: WIDGET_CELL }],
  };
  writeFileSync(join(work, widgetsNotebook), JSON.stringify(nb, null, 1));
}

// Executed elsewhere and copied in: JupyterLab has never seen it, so it opens untrusted (as a
// notebook from a classmate or an email does): no scripts run, HTML is sanitized.
const received = "received-05-losses.ipynb";
let receivedPlots = 0;

beforeAll(async () => {
  copyFileSync(join(ROOT, "notebooks", lesson), join(work, lesson));
  writeWidgetsNotebook();
  const ran = gradlab(["run", join("notebooks", "05-losses.ipynb"), "-o", join(work, received)]);
  if (ran.code !== 0) throw new Error(ran.stderr);
  const executed = JSON.parse(readFileSync(join(work, received), "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  receivedPlots = executed.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["application/vnd.plotly.v1+json"]).length;
  port = await freePort();
  // `gradlab lab` is what `npm start` runs; on a fresh machine it installs JupyterLab first.
  lab = spawn(process.execPath, [join(ROOT, "bin", "gradlab.js"), "lab", "--no-browser", `--port=${port}`, `--ServerApp.token=${token}`, `--ServerApp.root_dir=${work}`, "--ServerApp.ip=127.0.0.1", `--LabApp.workspaces_dir=${join(work, ".workspaces")}`], {
    env: { ...process.env, GRADLAB_BACKEND: "cpu" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  lab.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  try {
    await waitForServer(240_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}:\n${log.slice(-3000)}`);
  }
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  lab?.kill("SIGTERM");
});

describe("a lesson in real JupyterLab with the gradlab kernel", () => {
  it("lists the gradlab kernelspec", async () => {
    const specs = (await (await fetch(`http://127.0.0.1:${port}/api/kernelspecs?token=${token}`)).json()) as { kernelspecs: Record<string, { spec: { display_name: string } }> };
    expect(specs.kernelspecs["gradlab"]!.spec.display_name).toBe("TypeScript (gradlab)");
    // JupyterLab's own start-up scripts ran as CommonJS, not as ES modules of gradlab's package.
    expect(log).not.toMatch(/Dynamic require of/);
  });

  it("runs all cells and draws every plot", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Each test its own workspace: a shared one would reopen the other tests' notebooks beside it.
    await page.goto(`http://127.0.0.1:${port}/lab/workspaces/lesson/tree/${lesson}?token=${token}`);
    await page.waitForSelector(".jp-Notebook .jp-Cell", { timeout: 120_000 });
    await page.waitForSelector("text=TypeScript (gradlab)", { timeout: 120_000 });
    // On a loaded machine JupyterLab can still be starting when the notebook shows: wait for the
    // kernel to be idle, and run the command again if no cell started.
    await page.waitForSelector("text=/TypeScript \\(gradlab\\) \\| Idle/", { timeout: 120_000 });
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press("Control+Shift+c");
      await page.keyboard.type("Run All Cells");
      await page.keyboard.press("Enter");
      const started = await page
        .waitForFunction(() => [...document.querySelectorAll(".jp-InputArea-prompt")].some((p) => /\[(\*|\d+)\]/.test(p.textContent ?? "")), undefined, { timeout: 30_000 })
        .then(() => true, () => false);
      if (started) break;
      if (attempt === 3) throw new Error("Run All Cells did not start any cell in 3 attempts");
      await page.keyboard.press("Escape");
    }
    // Lesson 03 plots each activation beside its derivative.
    await page.waitForFunction(() => document.querySelectorAll(".jp-OutputArea .js-plotly-plot .scatterlayer .trace").length >= 20, undefined, { timeout: 300_000 });
    expect(await page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()).toBe(0);
    expect(await page.locator(".jp-OutputArea .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count()).toBe(0);
    await page.locator(".jp-OutputArea .js-plotly-plot").nth(1).scrollIntoViewIfNeeded();
    // JupyterLab asks once whether to fetch its news; answer, so the picture shows the lesson only.
    const news = page.locator(".jp-toast-button", { hasText: "No" });
    if (await news.count()) {
      await news.first().click();
      await page.locator(".Toastify__toast").first().waitFor({ state: "detached", timeout: 5000 }).catch(() => {});
    }
    await page.screenshot({ path: join(artifactDir("jupyterlab"), "03-activations.png") });
    // The lesson's explorer: a live dropdown and slider (not their static fallback) above its plot.
    const explorer = page.locator(".widget-interact, .jupyter-widgets.widget-vbox").filter({ has: page.locator(".widget-slider") }).first();
    await explorer.waitFor({ timeout: 60_000 });
    expect(await explorer.locator(".widget-dropdown select").count()).toBe(1);
    await explorer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactDir("jupyterlab"), "03-activations-explorer.png") });
    await page.close();
  }, 480_000);

  it("a slider moved with the keyboard re-draws the plot interact shows", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/lab/workspaces/widgets/tree/${widgetsNotebook}?token=${token}`);
    await page.waitForSelector("text=/TypeScript \\(gradlab\\) \\| Idle/", { timeout: 120_000 });
    for (let attempt = 1; ; attempt++) {
      await page.locator(".jp-Cell").first().click();
      await page.keyboard.press("Shift+Enter");
      const drawn = await page.waitForSelector(".widget-slider .noUi-handle", { timeout: 60_000 }).then(() => true, () => false);
      if (drawn) break;
      if (attempt === 3) throw new Error("the slider did not appear");
    }
    const title = () => page.locator(".jp-Cell .js-plotly-plot .gtitle").first().textContent();
    const shots = artifactDir("jupyterlab");
    await page.waitForFunction(() => document.querySelector(".jp-Cell .js-plotly-plot .gtitle")?.textContent === "slope 1", undefined, { timeout: 60_000 })
      .catch(async (e: unknown) => {
        await page.screenshot({ path: join(shots, "widgets-failed.png") });
        const state = await page.evaluate(() => ({
          plotly: typeof (window as unknown as { Plotly?: unknown }).Plotly,
          loading: (window as unknown as { __gradlabPlotlyLoading?: unknown }).__gradlabPlotlyLoading,
          html: document.querySelector(".jupyter-widgets-output-area")?.innerHTML.slice(0, 600),
          classes: [...document.querySelectorAll(".jp-OutputArea-output")].map((n) => n.className).slice(0, 6),
        }));
        throw new Error(`${(e as Error).message}: ${JSON.stringify(state)}`);
      });
    await page.screenshot({ path: join(shots, "widgets-before.png") });
    // The y axis scales to the line, so the line's path stays put and its top tick moves.
    const yTicks = async () => (await page.locator(".jp-Cell .js-plotly-plot .ytick text").allTextContents()).map(Number);
    expect(Math.max(...await yTicks())).toBe(3);
    // Two steps to the right with the keyboard, as a student without a mouse would.
    await page.locator(".widget-slider .noUi-handle").first().focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => document.querySelector(".jp-Cell .js-plotly-plot .gtitle")?.textContent === "slope 2", undefined, { timeout: 60_000 });
    expect(await title()).toBe("slope 2");
    expect(await page.locator(".widget-readout").first().textContent()).toMatch(/2\.00/);
    expect(Math.max(...await yTicks())).toBe(6);
    await page.screenshot({ path: join(shots, "widgets-after.png") });
    await page.close();
  }, 300_000);

  it("an untrusted notebook with outputs shows every chart as its static image", async () => {
    expect(receivedPlots).toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/lab/workspaces/received/tree/${received}?token=${token}`);
    await page.waitForSelector(".jp-Notebook .jp-Cell", { timeout: 120_000 });
    const images = page.locator(".jp-OutputArea-output img.gradlab-static");
    await page.waitForFunction((n) => document.querySelectorAll(".jp-OutputArea-output img.gradlab-static").length >= n, receivedPlots, { timeout: 60_000 });
    expect(await images.count()).toBe(receivedPlots);
    // Untrusted: the figures' scripts did not run, so plotly never replaced the images.
    expect(await page.locator(".jp-OutputArea .js-plotly-plot").count()).toBe(0);
    for (let k = 0; k < receivedPlots; k++) {
      const img = images.nth(k);
      await img.scrollIntoViewIfNeeded();
      const loaded = await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 100 && el.getBoundingClientRect().height > 50);
      expect(loaded, `chart ${k}`).toBe(true);
    }
    await images.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactDir("jupyterlab"), "untrusted-05-losses.png") });
    await page.close();
  }, 240_000);
});
