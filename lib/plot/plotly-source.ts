import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

let cached: string | null = null;

/** The full plotly.js bundle, read once from the npm package (users are often offline: no CDN). */
export function plotlySource(): string {
  if (cached === null) {
    const require = createRequire(import.meta.url);
    // A literal "</script" inside an inline <script> would end it early.
    cached = readFileSync(require.resolve("plotly.js-dist-min"), "utf8").replace(/<\/script/gi, "<\\/script");
  }
  return cached;
}
