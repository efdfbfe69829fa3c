// The kernel's bundles (dist/kernel/start-bundle.js, dist/kernel/wire/worker-bundle.cjs) are
// loaded only when they were built from the modules now on disk (kernel/snapshot/bundles.cts).
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO } from "./support/kernelspec.js";

// The compiled copy: vitest does not load .cts sources.
const require = createRequire(import.meta.url);
const { currentBundle } = require(path.join(REPO, "dist/kernel/snapshot/bundles.cjs")) as typeof import("../../kernel/snapshot/bundles.cjs");

let dir = "";
let bundle = "";
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-kernel-bundle-"));
  bundle = path.join(dir, "start-bundle.js");
  mkdirSync(path.join(dir, "exec"));
  writeFileSync(path.join(dir, "main.js"), "export const a = 1;\n");
  writeFileSync(path.join(dir, "exec", "stack.js"), "export const b = 2;\n");
  writeFileSync(bundle, "export const a = 1, b = 2;\n");
  const inputs = ["main.js", "exec/stack.js"].map((file) => {
    const stat = statSync(path.join(dir, file));
    return { file, size: stat.size, mtimeMs: stat.mtimeMs };
  });
  writeFileSync(path.join(dir, "start-bundle.inputs.json"), JSON.stringify({ inputs }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("kernel bundles", () => {
  it("is used when every module it was built from is unchanged", () => {
    expect(currentBundle(bundle)).toBe(bundle);
  });

  it("is not used once a module was rebuilt, even to the same size", () => {
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(dir, "exec", "stack.js"), later, later);
    expect(currentBundle(bundle)).toBeNull();
  });

  it("is not used when a module was edited or removed", () => {
    writeFileSync(path.join(dir, "main.js"), "export const a = 10;\n");
    expect(currentBundle(bundle)).toBeNull();
  });

  it("is not used without its list of inputs, with a corrupt one, or when the bundle is missing", () => {
    writeFileSync(path.join(dir, "start-bundle.inputs.json"), "{ not json");
    expect(currentBundle(bundle)).toBeNull();
    rmSync(path.join(dir, "start-bundle.inputs.json"));
    expect(currentBundle(bundle)).toBeNull();
  });

  it("lists its inputs next to it for either kind of bundle (x.js or x.cjs → x.inputs.json)", () => {
    const cjs = path.join(dir, "start-bundle.cjs");
    writeFileSync(cjs, "exports.a = 1;\n");
    expect(currentBundle(cjs)).toBe(cjs);
  });

  it("is not used when the bundle itself is gone", () => {
    rmSync(bundle);
    expect(currentBundle(bundle)).toBeNull();
  });
});
