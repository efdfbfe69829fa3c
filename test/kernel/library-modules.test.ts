// The kernel imports the library's bundle only while it matches dist/lib on disk, and maps the
// bundle's stack frames back to the library's files.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const REPO = path.resolve(import.meta.dirname, "..", "..");
const { libraryModules, BundleFrames } = (await import(path.join(REPO, "dist/kernel/library-modules.js"))) as typeof import("../../kernel/library-modules.js");

describe("library modules", () => {
  const temps: string[] = [];
  afterEach(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of dist/lib and dist/lib-bundle, so inputs can be changed. */
  function copyOfDist(): string {
    const dist = mkdtempSync(path.join(os.tmpdir(), "gradlab-dist-"));
    temps.push(dist);
    cpSync(path.join(REPO, "dist", "lib"), path.join(dist, "lib"), { recursive: true });
    cpSync(path.join(REPO, "dist", "lib-bundle"), path.join(dist, "lib-bundle"), { recursive: true });
    // As if bundled there: copies keep times only to the millisecond.
    const list = path.join(dist, "lib-bundle", "inputs.json");
    const { inputs } = JSON.parse(readFileSync(list, "utf8")) as { inputs: { file: string; size: number; mtimeMs: number }[] };
    for (const input of inputs) {
      const stat = statSync(path.resolve(dist, "lib-bundle", input.file));
      Object.assign(input, { size: stat.size, mtimeMs: stat.mtimeMs });
    }
    writeFileSync(list, JSON.stringify({ inputs }));
    return dist;
  }

  it("uses the bundle when every input is as it was bundled", () => {
    const dist = copyOfDist();
    const chosen = libraryModules(path.join(dist, "lib", "index.js"));
    expect(chosen).toEqual({ index: path.join(dist, "lib-bundle", "index.js"), device: path.join(dist, "lib-bundle", "device.js"), bundleDir: path.join(dist, "lib-bundle") });
  });

  it("falls back to dist/lib when an input changed, is gone, or the list is unreadable", () => {
    const unbundled = (dist: string) => ({ index: path.join(dist, "lib", "index.js"), device: path.join(dist, "lib", "backend", "webgpu", "device.js"), bundleDir: null });

    const edited = copyOfDist();
    const shape = path.join(edited, "lib", "tensor", "shape.js");
    writeFileSync(shape, readFileSync(shape, "utf8") + "\n// edited\n");
    expect(libraryModules(path.join(edited, "lib", "index.js"))).toEqual(unbundled(edited));

    const touched = copyOfDist();
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(touched, "lib", "ops", "matmul.js"), later, later);
    expect(libraryModules(path.join(touched, "lib", "index.js"))).toEqual(unbundled(touched));

    const removed = copyOfDist();
    rmSync(path.join(removed, "lib", "tensor", "shape.js"));
    expect(libraryModules(path.join(removed, "lib", "index.js"))).toEqual(unbundled(removed));

    const corrupt = copyOfDist();
    writeFileSync(path.join(corrupt, "lib-bundle", "inputs.json"), "{ not json");
    expect(libraryModules(path.join(corrupt, "lib", "index.js"))).toEqual(unbundled(corrupt));

    const noBundle = copyOfDist();
    rmSync(path.join(noBundle, "lib-bundle"), { recursive: true });
    expect(libraryModules(path.join(noBundle, "lib", "index.js"))).toEqual(unbundled(noBundle));
  });

  it("maps a frame of the bundle to the library file and line that threw", async () => {
    const bundleDir = path.join(REPO, "dist", "lib-bundle");
    // In a plain Node process: vitest would rewrite the stack with the source maps itself.
    const script = `import(${JSON.stringify(pathToFileURL(path.join(bundleDir, "index.js")).href)}).then((lib) => { try { lib.tensor([1, 2, 3]).reshape([2, 2]); } catch (e) { console.log(e.stack); } });`;
    const stack = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, GRADLAB_BACKEND: "cpu" } });
    const frame = /\((file:\S+\/lib-bundle\/index\.js):(\d+):(\d+)\)/.exec(stack);
    expect(frame, stack).not.toBeNull();
    const original = new BundleFrames(bundleDir).original(frame![1]!, Number(frame![2]), Number(frame![3]));
    expect(original).toMatch(/^file:\/\/\S+\/dist\/lib\/\S+\.js:\d+:\d+$/);
    const [, url, line, column] = /^(.*):(\d+):(\d+)$/.exec(original!)!;
    const text = readFileSync(new URL(url!), "utf8").split("\n")[Number(line) - 1]!;
    // The column points into the statement that throws the ShapeError.
    expect(text.slice(Number(column) - 1)).toMatch(/ShapeError|throw/);
    // Frames outside the bundle are left alone.
    expect(new BundleFrames(bundleDir).original(pathToFileURL(path.join(REPO, "dist", "lib", "index.js")).href, 1, 1)).toBeNull();
  });
});
