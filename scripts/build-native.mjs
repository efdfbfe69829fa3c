// Builds native/build/blas.node, gradlab's optional bridge to the system BLAS (native/blas.c),
// as part of `npm run build`. It needs a C compiler, Node's headers and OpenBLAS's development
// files (Debian: gcc, libopenblas-dev). Where one is missing the library simply keeps its Wasm
// kernels, so this says why and succeeds, except under CI=true or GRADLAB_REQUIRE_NATIVE=1,
// where a missing piece must be installed rather than skipped.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const source = path.join(root, "native", "blas.c");
const out = path.join(root, "native", "build", "blas.node");
const strict = process.env.CI === "true" || process.env.GRADLAB_REQUIRE_NATIVE === "1";

function skip(why, missing = true) {
  const message = `gradlab: native BLAS not built (${why}); matmuls use the Wasm kernels`;
  if (strict && missing) {
    console.error(`${message}. Install it (Debian: apt-get install gcc libopenblas-dev).`);
    process.exit(1);
  }
  console.error(`${message}.`);
  process.exit(0);
}

// Asked for, not missing: even under CI=true, "install it" would be the wrong advice.
if (process.env.GRADLAB_NATIVE_BLAS === "0") skip("GRADLAB_NATIVE_BLAS=0", false);
if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) process.exit(0);

// Node's own headers (node_api.h) ship next to its binary in official and Debian builds.
const nodeInclude = [path.join(path.dirname(process.execPath), "..", "include", "node"), "/usr/include/node"].find((d) =>
  existsSync(path.join(d, "node_api.h")),
);
if (!nodeInclude) skip("Node's headers (node_api.h) are missing");
const cblasInclude = ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/aarch64-linux-gnu/openblas-pthread", "/usr/include/openblas", "/usr/include"].find(
  (d) => existsSync(path.join(d, "cblas.h")),
);
if (!cblasInclude) skip("OpenBLAS's cblas.h is missing");
const cc = process.env.CC ?? "cc";

mkdirSync(path.dirname(out), { recursive: true });
const staging = `${out}.tmp-${process.pid}`;
try {
  execFileSync(cc, ["-O2", "-shared", "-fPIC", `-I${nodeInclude}`, `-I${cblasInclude}`, source, "-o", staging, "-lopenblas"], { stdio: ["ignore", "inherit", "inherit"] });
} catch (e) {
  rmSync(staging, { force: true });
  skip(`${cc} failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
}
renameSync(staging, out); // whole or not at all: a kernel may load it meanwhile
