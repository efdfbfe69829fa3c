// What makes a start-up snapshot stale: another Node binary, other package versions of
// TypeScript or tslab, or other code of the kernel's engine (compiled into the snapshot).
import crypto = require("node:crypto");
import fs = require("node:fs");
import path = require("node:path");
import type { SnapshotInputs } from "./prepare.cjs";

export function snapshotKey(inputs: SnapshotInputs, codeDirs: readonly string[]): string {
  // The kernel's global declarations are served afresh at run time, so they are not part of it.
  const { globalDeclarations: _ignored, ...fixed } = inputs;
  const hash = crypto.createHash("sha256").update(process.execPath).update(process.version).update(JSON.stringify(fixed));
  // Packages change only with npm install: their file dates suffice.
  for (const file of [inputs.engine.typescript, inputs.engine.converter]) {
    const stat = fs.statSync(file);
    hash.update(`${file}:${stat.mtimeMs}:${stat.size}`);
  }
  // The kernel's compiled engine is rewritten by every build: its content counts.
  for (const dir of codeDirs) {
    for (const name of fs.readdirSync(dir).sort()) if (name.endsWith(".cjs")) hash.update(name).update(fs.readFileSync(path.join(dir, name)));
  }
  return hash.digest("hex");
}
