import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface JupyterLab {
  /** Command and leading arguments that start JupyterLab. */
  command: string[];
  source: string;
}

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, [...args, "--version"], { stdio: "ignore", timeout: 60_000 });
  return r.status === 0;
}

/**
 * JupyterLab from the repo's own virtual environment, else from PATH, else installed into
 * `.venv` with pip. PIP_RETRIES=0 makes pip fail at once where no package index is reachable
 * instead of retrying for minutes.
 */
export function findOrInstallJupyterLab(root: string, log: (s: string) => void): JupyterLab {
  const venv = join(root, ".venv");
  const venvLab = join(venv, "bin", "jupyter-lab");
  if (existsSync(venvLab) && works(venvLab, [])) {
    keepOutOfThisPackage(venv);
    ensureWidgets(venv, log);
    return { command: [venvLab], source: venvLab };
  }
  if (works("jupyter-lab", [])) return { command: ["jupyter-lab"], source: "jupyter-lab on PATH" };

  const python = ["python3", "python"].find((p) => works(p, []));
  if (!python) throw new Error("gradlab lab: JupyterLab is not installed and no python3 was found to install it; install Python 3, or JupyterLab itself");
  log(`gradlab lab: installing JupyterLab into ${venv} (first run only)…`);
  execFileSync(python, ["-m", "venv", venv], { stdio: "inherit" });
  keepOutOfThisPackage(venv);
  const pip = spawnSync(join(venv, "bin", "pip"), ["install", "--quiet", "jupyterlab", WIDGETS_PACKAGE], {
    stdio: "inherit",
    env: { ...process.env, PIP_RETRIES: process.env["PIP_RETRIES"] ?? "0" },
  });
  if (pip.status !== 0 || !works(venvLab, [])) {
    throw new Error(
      `gradlab lab: pip could not install JupyterLab into ${venv} (no package index reachable?). ` +
        "Install it yourself (pip install jupyterlab) and run again, or use Jupyter Notebook: `gradlab install --user`, then `jupyter notebook notebooks/`.",
    );
  }
  return { command: [venvLab], source: venvLab };
}

/** JupyterLab's widget manager (ipywidgets 8's frontend), which draws `widgets.*` in notebooks. */
const WIDGETS_PACKAGE = "jupyterlab-widgets";

/**
 * A `.venv` made before gradlab had widgets gets JupyterLab's widget manager once. Without a
 * package index the lab still starts; widgets then show as their text and HTML stand-ins.
 */
function ensureWidgets(venv: string, log: (s: string) => void): void {
  const python = join(venv, "bin", "python");
  if (spawnSync(python, ["-c", "import jupyterlab_widgets"], { stdio: "ignore" }).status === 0) return;
  log(`gradlab lab: installing ${WIDGETS_PACKAGE} (JupyterLab's widget manager) into ${venv}…`);
  const pip = spawnSync(join(venv, "bin", "pip"), ["install", "--quiet", WIDGETS_PACKAGE], {
    stdio: "inherit",
    env: { ...process.env, PIP_RETRIES: process.env["PIP_RETRIES"] ?? "0" },
  });
  if (pip.status !== 0) log(`gradlab lab: could not install ${WIDGETS_PACKAGE}; widgets will show as text until it is installed (pip install ${WIDGETS_PACKAGE})`);
}

/**
 * The virtual environment sits inside gradlab's folder, whose package.json says `"type":
 * "module"`. Node would then load JupyterLab's own CommonJS scripts (jupyter_builder/yarn.js,
 * run at start-up) as ES modules, and they fail ("Dynamic require of util is not supported").
 * A package.json of its own makes the environment a package boundary.
 */
function keepOutOfThisPackage(venv: string): void {
  const file = join(venv, "package.json");
  if (!existsSync(file)) writeFileSync(file, JSON.stringify({ type: "commonjs", private: true }) + "\n");
}
