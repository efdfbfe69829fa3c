// `gradlab install` writes the kernelspec where Jupyter looks, without Python; a shared install
// (package owned by root, read-only for users) works for an unprivileged user.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, chownSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KernelClient, outputsOf } from "./support/client.js";
import { GRADLAB_BIN, REPO } from "./support/kernelspec.js";
import { kernelArgv } from "../../kernel/install.js";

// The compiled copy: installId names the package folder it is in (dist/kernel/ → the repo).
const { installId } = (await import(path.join(REPO, "dist/kernel/paths.js"))) as typeof import("../../kernel/paths.js");

const temp = mkdtempSync(path.join(os.tmpdir(), "gradlab-install-test-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function gradlab(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [GRADLAB_BIN, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("gradlab install", () => {
  it("--prefix writes kernel.json and the logos", () => {
    const prefix = path.join(temp, "prefix");
    const result = gradlab(["install", "--prefix", prefix]);
    expect(result.status, result.stderr).toBe(0);
    const dir = path.join(prefix, "share", "jupyter", "kernels", "gradlab");
    const spec = JSON.parse(readFileSync(path.join(dir, "kernel.json"), "utf8")) as Record<string, unknown>;
    expect(spec).toMatchObject({
      // POSIX: a shell script that can start Node from the user's snapshot without a launcher.
      argv: ["/bin/sh", path.join(REPO, "bin", "gradlab-kernel.sh"), process.execPath, installId(), "{connection_file}"],
      display_name: "TypeScript (gradlab)",
      language: "typescript",
      interrupt_mode: "message",
    });
    expect(readdirSync(dir).sort()).toEqual(["kernel.json", "logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]);
    // Real PNGs of the announced size.
    const png = readFileSync(path.join(dir, "logo-64x64.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(64);
  });

  it("on Windows, where there is no /bin/sh, Jupyter runs gradlab.js kernel", () => {
    expect(kernelArgv("C:\\gradlab\\bin", "0123456789ab", "win32")).toEqual([process.execPath, path.join("C:\\gradlab\\bin", "gradlab.js"), "kernel", "--connection-file", "{connection_file}"]);
  });

  it("--user writes to the user's Jupyter data folder", () => {
    const data = path.join(temp, "user-data");
    expect(gradlab(["install", "--user"], { JUPYTER_DATA_DIR: data }).status).toBe(0);
    expect(existsSync(path.join(data, "kernels", "gradlab", "kernel.json"))).toBe(true);
  });

  it("--sys-prefix uses the active environment and refuses without one", () => {
    const venv = path.join(temp, "venv");
    expect(gradlab(["install", "--sys-prefix"], { VIRTUAL_ENV: venv }).status).toBe(0);
    expect(existsSync(path.join(venv, "share", "jupyter", "kernels", "gradlab", "kernel.json"))).toBe(true);
    const refused = gradlab(["install", "--sys-prefix"], { VIRTUAL_ENV: "", CONDA_PREFIX: "" });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/--sys-prefix needs an active virtual or conda environment/);
  });

  it("rejects unknown arguments", () => {
    expect(gradlab(["install", "--bogus"]).status).toBe(2);
  });
});

describe("shared install", () => {
  it.runIf(process.getuid?.() === 0)("runs for an unprivileged user who cannot write to the package, state in their home", async () => {
    const nobody = { uid: 65534, gid: 65534 };
    const home = path.join(temp, "home-nobody");
    chmodSync(temp, 0o755);
    mkdirSync(home, { recursive: true });
    chownSync(home, nobody.uid, nobody.gid);
    // The package belongs to root; this user can read but not write it.
    expect(statSync(path.join(REPO, "dist", "kernel")).uid).not.toBe(nobody.uid);
    const kernel = await KernelClient.start({ user: nobody, env: { HOME: home, GRADLAB_STATE_DIR: "", XDG_STATE_HOME: "", XDG_CACHE_HOME: "" } });
    try {
      const r = await kernel.run("console.log(process.getuid!()); tensor([1, 2]).shape");
      expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
      expect(outputsOf(r, "execute_result")[0]!.content.data["text/plain"]).toBe("[ 2 ]");
      const history = path.join(home, ".local", "state", "gradlab", "history.jsonl");
      // History is written in batches, within a fraction of a second.
      const written = () => (existsSync(history) ? readFileSync(history, "utf8") : "");
      for (let i = 0; i < 50 && !written().includes("tensor([1, 2]).shape"); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(written()).toContain("tensor([1, 2]).shape");
    } finally {
      await kernel.stop();
    }
  }, 60_000);
});
