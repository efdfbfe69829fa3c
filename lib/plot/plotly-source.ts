import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

let cached: string | null = null;

/**
 * The full plotly.js bundle (users are often offline: no CDN), gzipped and base64-encoded: 1.9 MB
 * instead of 4.8 MB in the first figure of a session, which is also what a notebook saved with
 * its outputs carries. Compressed once per process (~130 ms), at the first figure.
 */
export function plotlyGzipBase64(): string {
  if (cached === null) {
    const require = createRequire(import.meta.url);
    const zlib = require("node:zlib") as typeof import("node:zlib");
    cached = zlib.gzipSync(readFileSync(require.resolve("plotly.js-dist-min")), { level: 9 }).toString("base64");
  }
  return cached;
}
