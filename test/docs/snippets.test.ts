// The TypeScript examples a new user copies from the README and the widgets guide run as cells
// of one notebook, type-checked by the kernel, and succeed.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradlab, ROOT } from "../helpers/cli.js";

/** The ```ts blocks of `markdown`, from the heading `from` (if given) to the next heading of its level. */
function tsBlocks(markdown: string, from?: string): string[] {
  let text = markdown;
  if (from) {
    const start = text.indexOf(from);
    expect(start, `heading ${from}`).toBeGreaterThanOrEqual(0);
    const level = from.match(/^#+/)![0];
    const end = text.indexOf(`\n${level} `, start + from.length);
    text = text.slice(start, end < 0 ? undefined : end);
  }
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

function runAsNotebook(name: string, cells: string[]): { code: number | null; stderr: string; outputs: string } {
  const dir = mkdtempSync(join(tmpdir(), "gradlab-snippets-"));
  const nb = {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "gradlab", display_name: "TypeScript (gradlab)", language: "typescript" } },
    cells: cells.map((source, i) => ({ cell_type: "code", id: `${name}-${i}`, metadata: {}, execution_count: null, outputs: [], source })),
  };
  writeFileSync(join(dir, "in.ipynb"), JSON.stringify(nb));
  const r = gradlab(["run", join(dir, "in.ipynb"), "-o", join(dir, "out.ipynb")], { GRADLAB_BACKEND: "cpu" });
  const outputs = r.code === 0 ? readFileSync(join(dir, "out.ipynb"), "utf8") : "";
  return { code: r.code, stderr: r.stderr, outputs };
}

describe("examples in the docs run as written", () => {
  it("README", () => {
    const blocks = tsBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const r = runAsNotebook("readme", blocks);
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toContain("application/vnd.jupyter.widget-view+json");
  }, 180_000);

  it("the widgets guide (docs/library.md)", () => {
    const blocks = tsBlocks(readFileSync(join(ROOT, "docs", "library.md"), "utf8"), "## Widgets: sliders that drive plots");
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    const r = runAsNotebook("widgets-guide", blocks);
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toContain("VBox(");
  }, 180_000);
});
