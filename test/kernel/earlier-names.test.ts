import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradlab } from "../helpers/cli.js";

/** Runs the cells as a notebook with `gradlab run`; returns each cell's text result. */
function results(cells: string[]): (string | undefined)[] {
  const dir = mkdtempSync(join(tmpdir(), "gradlab-names-"));
  const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: cells.map((source) => ({ cell_type: "code", source, metadata: {}, outputs: [] })) };
  writeFileSync(join(dir, "nb.ipynb"), JSON.stringify(nb));
  const r = gradlab(["run", join(dir, "nb.ipynb"), "-o", join(dir, "out.ipynb")]);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8")) as { cells: { outputs: { data?: Record<string, string> }[] }[] };
  return out.cells.map((cell) => cell.outputs[0]?.data?.["text/plain"]);
}

describe("cells that refer to earlier cells' names", () => {
  it("object shorthand ({ W1, b1 }) sees names declared in earlier cells", () => {
    expect(results(["const W1 = tensor([1, 2]);\nlet b1 = 3;", "const params = { W1, b1, inline: 4 };\nparams.b1 + params.inline"])[1]).toBe("7");
  });

  it("property names of earlier cells' types stay names: destructuring with renaming, typed literals", () => {
    // These were rewritten to `exports.a` (a SyntaxError) by tslab's converter.
    const out = results([
      "const obj = { a: 1, b: [2, 3] };\ninterface Point { x: number; y: number }",
      "const { a: renamed, b: [first, second] } = obj;\nlet { a: withDefault = 5, ...rest } = obj;\nrenamed + first + second + withDefault + rest.b.length",
      "const p: Point = { x: 3, y: 4 };\nconst copy: typeof obj = { a: renamed * 10, b: [] };\nconst { x: px } = p;\n[px, p.y, copy.a, obj.a]",
    ]);
    expect(out[1]).toBe("9");
    expect(out[2]).toBe("[ 3, 4, 10, 1 ]");
  });
});
