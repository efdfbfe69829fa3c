import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("the gradlab package", () => {
  it('`import { tensor, grad } from "gradlab"` works from the repo root through package exports', () => {
    const code = `
      import { tensor, grad } from "gradlab";
      const t = tensor([[1, 2], [3, 4]]);
      console.log(JSON.stringify({ sum: t.sum().itemSync(), d: grad((x) => x.pow(3))(2).itemSync() }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ sum: 10, d: 12 });
  });

  it("ships type declarations next to the compiled JS", async () => {
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(root, "dist/lib/index.d.ts"))).toBe(true);
  });
});
