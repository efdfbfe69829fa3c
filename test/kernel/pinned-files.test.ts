// The start-up snapshot's pinned declaration files are reused while their text is what it was
// when the snapshot was built (kernel/snapshot/prepare.cts: validPinnedFiles).
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO } from "./support/kernelspec.js";

// The compiled copy: vitest does not load .cts sources.
const require = createRequire(import.meta.url);
const { validPinnedFiles } = require(path.join(REPO, "dist/kernel/snapshot/prepare.cjs")) as typeof import("../../kernel/snapshot/prepare.cjs");
type Pinned = Parameters<typeof validPinnedFiles>[0];

let dir = "";
let file = "";
const TEXT = "declare const a: number;\n";
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-pinned-"));
  file = path.join(dir, "a.d.ts");
  writeFileSync(file, TEXT);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function pinnedAsBuilt(): Pinned {
  const stat = statSync(file);
  return new Map([[file, { file: { text: TEXT }, mtimeMs: stat.mtimeMs, size: stat.size }]]) as unknown as Pinned;
}

describe("pinned declaration files", () => {
  it("are reused when untouched", () => {
    expect(validPinnedFiles(pinnedAsBuilt())).toMatchObject({ stale: 0 });
  });

  it("are reused when rewritten with the same text (as every tsc run does)", () => {
    const pinned = pinnedAsBuilt();
    const later = new Date(Date.now() + 5000);
    writeFileSync(file, TEXT);
    utimesSync(file, later, later);
    const { files, stale } = validPinnedFiles(pinned);
    expect(stale).toBe(0);
    expect(files.has(file)).toBe(true);
  });

  it("are parsed afresh when their text changed, even to the same size, or when they are gone", () => {
    const pinned = pinnedAsBuilt();
    writeFileSync(file, TEXT.replace("a", "b"));
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect(validPinnedFiles(pinned)).toMatchObject({ stale: 1 });
    rmSync(file);
    expect(validPinnedFiles(pinned)).toMatchObject({ stale: 1 });
  });
});
