// First-run set-up for `npm test`, `npm start` and `npm run bench`: a fresh clone has no
// node_modules, so install exactly what package-lock.json pins before anything else runs.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { execSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lock = join(root, "package-lock.json");
const stamp = join(root, "node_modules", ".gradlab-lock-hash");
const hash = createHash("sha256").update(readFileSync(lock)).digest("hex");

if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== hash) {
  console.error("gradlab: installing npm dependencies (first run or package-lock.json changed)…");
  execSync("npm ci --no-audit --no-fund", { cwd: root, stdio: "inherit" });
  writeFileSync(stamp, hash);
}
