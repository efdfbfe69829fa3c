// `gradlab install`: writes the kernelspec Jupyter looks for (kernels/gradlab/kernel.json and
// logos) without needing Python, at the same places `jupyter kernelspec install` would use.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type InstallTarget = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; dir: string } | { kind: "system" };

export interface InstallOptions {
  target: InstallTarget;
  /** Absolute path of bin/ (gradlab.js and gradlab-kernel.sh). */
  bin: string;
  /** installId() of this copy: names its start-up snapshot in each user's cache. */
  id: string;
  /** Folder with logo-32x32.png, logo-64x64.png, logo-svg.svg. */
  logos: string;
  name?: string;
}

/** Jupyter's data directory for the target (the kernelspec goes in its kernels/ folder). */
export function dataDir(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  switch (target.kind) {
    case "user":
      if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
      if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter");
      if (process.platform === "win32") return path.join(env.APPDATA ?? os.homedir(), "jupyter");
      return path.join(env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share"), "jupyter");
    case "sys-prefix": {
      // sys.prefix of the active Python environment, found without running Python.
      const prefix = env.VIRTUAL_ENV || env.CONDA_PREFIX;
      if (!prefix) throw new Error("--sys-prefix needs an active virtual or conda environment (VIRTUAL_ENV or CONDA_PREFIX); use --user or --prefix DIR");
      return path.join(prefix, "share", "jupyter");
    }
    case "prefix":
      return path.join(path.resolve(target.dir), "share", "jupyter");
    case "system":
      return process.platform === "win32" ? path.join(env.PROGRAMDATA ?? "C:\\ProgramData", "jupyter") : "/usr/local/share/jupyter";
  }
}

/** How Jupyter starts the kernel; absolute paths, since it uses its own PATH and the notebook's folder. */
export function kernelArgv(bin: string, id: string, platform: NodeJS.Platform = process.platform): string[] {
  // Windows has no /bin/sh; there `gradlab.js kernel` finds the snapshot itself, a little later.
  if (platform === "win32") return [process.execPath, path.join(bin, "gradlab.js"), "kernel", "--connection-file", "{connection_file}"];
  return ["/bin/sh", path.join(bin, "gradlab-kernel.sh"), process.execPath, id, "{connection_file}"];
}

export function kernelSpec(bin: string, id: string): Record<string, unknown> {
  return {
    argv: kernelArgv(bin, id),
    display_name: "TypeScript (gradlab)",
    language: "typescript",
    // Interrupts arrive as interrupt_request on the control channel, which the kernel's socket
    // thread reads even while a cell keeps the main thread busy.
    interrupt_mode: "message",
    env: {},
    metadata: { debugger: false },
  };
}

/** Writes the kernelspec and returns its folder. */
export function install(options: InstallOptions): string {
  const dir = path.join(dataDir(options.target), "kernels", options.name ?? "gradlab");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelSpec(options.bin, options.id), null, 2) + "\n");
  if (existsSync(options.logos)) {
    for (const file of readdirSync(options.logos)) {
      if (/^logo-(\d+x\d+\.png|svg\.svg)$/.test(file)) copyFileSync(path.join(options.logos, file), path.join(dir, file));
    }
  }
  return dir;
}
