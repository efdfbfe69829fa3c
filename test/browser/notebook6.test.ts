// Widgets in Debian's classic Notebook 6. Its own widgets extension is ipywidgets 6's, which
// speaks an older widgets protocol: there a widget cell shows its static stand-in (the controls,
// disabled, above the result for the starting values), never an error. With ipywidgets 8's
// extension for Notebook 6 (widgetsnbextension 4, installed with pip next to the notebook) the
// controls are live: a slider moved with the keyboard re-draws the plot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { gradlab } from "../helpers/cli.js";
import { artifactDir, launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";

const SYSTEM_PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "gradlab-notebook6-"));
const work = join(dir, "work");
const prefix = join(dir, "prefix");
const venv = join(dir, "venv");
const token = "notebook6-test";
const shots = artifactDir("notebook6");
const CELL = [
  'const a = new widgets.FloatSlider({ value: 1, min: 0.5, max: 3, step: 0.5, description: "slope" });',
  "await widgets.interact(({ a }) => plot.line([0, 1, 2, 3].map((x) => a * x), { title: `slope ${a}` }), { a })",
].join("\n");

let browser: Browser;
const servers: ChildProcess[] = [];

beforeAll(async () => {
  spawnSync("mkdir", ["-p", work]);
  const nb = {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "gradlab", display_name: "TypeScript (gradlab)", language: "typescript" } },
    cells: [{ cell_type: "code", id: "slider", metadata: {}, execution_count: null, outputs: [], source: CELL }],
  };
  writeFileSync(join(work, "widgets.ipynb"), JSON.stringify(nb));
  const installed = gradlab(["install", "--prefix", prefix]);
  if (installed.code !== 0) throw new Error(installed.stderr);
  // Notebook 6 with ipywidgets 8's extension: a venv over Debian's packages (PEP 668 keeps pip
  // out of the system Python), as a user of Debian's notebook would make one.
  const made = spawnSync(SYSTEM_PYTHON, ["-m", "venv", "--system-site-packages", venv], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(made.stderr);
  const pip = spawnSync(join(venv, "bin", "pip"), ["install", "--quiet", "widgetsnbextension>=4,<5"], { encoding: "utf8", env: { ...process.env, PIP_RETRIES: "0" }, timeout: 300_000 });
  if (pip.status !== 0) throw new Error(`pip could not install widgetsnbextension 4 (the local wheel mirror is needed): ${pip.stderr}`);
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) s.kill("SIGTERM");
});

/** Starts Notebook 6 with `python` (its nbextensions come from that environment first). */
async function notebookServer(python: string): Promise<number> {
  const port = await freePort();
  const server = spawn(python, ["-m", "notebook", "--allow-root", "--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--NotebookApp.token=${token}`, `--notebook-dir=${work}`], {
    env: { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter"), GRADLAB_BACKEND: "cpu" },
    stdio: "ignore",
  });
  servers.push(server);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/api?token=${token}`).then((r) => r.ok, () => false);
    if (up) return port;
    if (Date.now() > deadline) throw new Error("Notebook 6 did not start in 2 minutes");
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function runWidgetCell(port: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/notebooks/widgets.ipynb?token=${token}`);
  await page.waitForSelector("#kernel_indicator_icon.kernel_idle_icon", { timeout: 120_000 });
  await page.locator(".cell").first().click();
  await page.keyboard.press("Shift+Enter");
  await page.waitForFunction(() => document.querySelector(".output_area .js-plotly-plot .gtitle")?.textContent === "slope 1", undefined, { timeout: 120_000 }).catch(async (e: unknown) => {
    await page.screenshot({ path: join(shots, `failed-${port}.png`) });
    throw e;
  });
  return page;
}

describe("widgets in Debian's Notebook 6", () => {
  it("with Debian's ipywidgets 6 extension, a widget cell shows its stand-in and the plot, no error", async () => {
    const page = await runWidgetCell(await notebookServer(SYSTEM_PYTHON));
    const out = page.locator(".output_area").first();
    expect(await out.locator("input[type=range][disabled]").count()).toBe(1);
    expect(await out.textContent()).not.toMatch(/Error|Failed/i);
    expect(await page.locator(".output_error").count()).toBe(0);
    await page.screenshot({ path: join(shots, "debian-extension.png") });
    await page.close();
  }, 300_000);

  it("with widgetsnbextension 4, the slider is live: moved with the keyboard, it re-draws the plot", async () => {
    const page = await runWidgetCell(await notebookServer(join(venv, "bin", "python")));
    const handle = page.locator(".widget-slider .noUi-handle").first();
    await handle.waitFor({ timeout: 60_000 });
    await handle.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => document.querySelector(".output_area .js-plotly-plot .gtitle")?.textContent === "slope 2", undefined, { timeout: 60_000 });
    const ticks = (await page.locator(".output_area .js-plotly-plot .ytick text").allTextContents()).map(Number);
    expect(Math.max(...ticks)).toBe(6);
    await page.screenshot({ path: join(shots, "widgetsnbextension-4.png") });
    await page.close();
  }, 300_000);
});
