// The recipe's JupyterLab route: each student's server runs a Python that has JupyterLab (a venv
// beside Debian's JupyterHub, as docker/setup.sh makes one), named by `hub-config --python`.
// Students get JupyterLab at their hub address, and run a lesson through their servers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gradlab } from "../../helpers/cli.js";
import { PYTHON, TestHub } from "./support/hub.js";

const hub = new TestHub();
const STUDENTS = ["ada", "alan"];

beforeAll(async () => {
  const venv = join(hub.dir, "venv");
  const made = spawnSync(PYTHON, ["-m", "venv", "--system-site-packages", venv], { encoding: "utf8" });
  expect(made.status, made.stderr).toBe(0);
  // PIP_RETRIES=0: without a reachable index (or the machine's wheel mirror) this fails in seconds.
  const pip = spawnSync(join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "jupyterlab", "jupyterlab-widgets"], {
    encoding: "utf8",
    env: { ...process.env, PIP_RETRIES: "0" },
    timeout: 300_000,
  });
  expect(pip.status, `pip could not install JupyterLab into a venv: ${pip.stderr.slice(-1500)}`).toBe(0);
  await hub.start(["--python", join(venv, "bin", "python")]);
}, 400_000);
afterAll(() => hub.stop(), 60_000);

describe("a JupyterHub whose students get JupyterLab", () => {
  it("serves each student JupyterLab, and lesson 01 runs through their servers", async () => {
    await hub.createStudents(STUDENTS);
    for (const s of STUDENTS) {
      const page = await fetch(`${hub.url}/user/${s}/lab`, { headers: { Authorization: `token ${hub.tokens.get(s)}` } });
      expect(page.status, hub.log.slice(-2000)).toBe(200);
      expect(await page.text()).toMatch(/<title>JupyterLab<\/title>/);
      // The lesson each student got in their home.
      expect(readFileSync(join(hub.homes, s, "gradlab", "01-tensors.ipynb"), "utf8")).toContain('"gradlab"');
    }
    for (const s of STUDENTS) {
      const copy = join(hub.dir, `${s}-01.ipynb`);
      copyFileSync(join(hub.homes, s, "gradlab", "01-tensors.ipynb"), copy);
      const r = gradlab(["run", copy, "--inplace", "--server", `${hub.url}/user/${s}/`, "--token", hub.tokens.get(s)!]);
      expect(r.code, `${s}: ${r.stderr}`).toBe(0);
    }
  }, 300_000);
});
