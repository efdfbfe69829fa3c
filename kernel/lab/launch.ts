import { spawn, execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths.js";
import { findOrInstallJupyterLab } from "./find-jupyter.js";

/**
 * `gradlab lab [jupyter-lab options]`: JupyterLab on the lessons with the gradlab kernel.
 * The kernelspec goes into a private Jupyter data dir named by JUPYTER_PATH, so the user's own
 * Jupyter configuration is left untouched (`gradlab install --user` registers it for good).
 */
export async function lab(args: string[], log: (s: string) => void = (s) => console.error(s)): Promise<number> {
  const root = packageRoot();
  const jupyter = findOrInstallJupyterLab(root, log);
  const prefix = join(root, ".jupyter-gradlab");
  mkdirSync(prefix, { recursive: true });
  execFileSync(process.execPath, [join(root, "bin", "gradlab.js"), "install", "--prefix", prefix], { stdio: ["ignore", "ignore", "inherit"] });
  const dataDir = join(prefix, "share", "jupyter");
  const env = { ...process.env, JUPYTER_PATH: [dataDir, process.env["JUPYTER_PATH"]].filter(Boolean).join(":") };
  const extra = [...args];
  if (!extra.some((a) => a.startsWith("--notebook-dir") || a.startsWith("--ServerApp.root_dir"))) extra.push(`--ServerApp.root_dir=${join(root, "notebooks")}`);
  if (process.getuid?.() === 0 && !extra.includes("--allow-root")) extra.push("--allow-root");
  log(`gradlab lab: starting JupyterLab (${jupyter.source}) on ${join(root, "notebooks")} with the gradlab kernel`);
  const [cmd, ...lead] = jupyter.command;
  const child = spawn(cmd!, [...lead, ...extra], { stdio: "inherit", env });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  process.on("SIGINT", forward("SIGINT"));
  process.on("SIGTERM", forward("SIGTERM"));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
