import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradlab } from "../helpers/cli.js";

describe("cells that refer to earlier cells' names", () => {
  it("object shorthand ({ W1, b1 }) sees names declared in earlier cells", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradlab-shorthand-"));
    const cells = ["const W1 = tensor([1, 2]);\nlet b1 = 3;", "const params = { W1, b1, inline: 4 };\nparams.b1 + params.inline"];
    const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: cells.map((source) => ({ cell_type: "code", source, metadata: {}, outputs: [] })) };
    writeFileSync(join(dir, "nb.ipynb"), JSON.stringify(nb));
    const r = gradlab(["run", join(dir, "nb.ipynb"), "-o", join(dir, "out.ipynb")]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8")) as { cells: { outputs: { data?: Record<string, string> }[] }[] };
    expect(out.cells[1]!.outputs[0]!.data!["text/plain"]).toBe("7");
  });
});
