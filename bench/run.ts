import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { workloads, type Result } from "./workloads.js";
import { nnTrainStep } from "./train.js";
import { runWebGpuBench } from "./webgpu.js";
import { liveCurveOverhead, plotLatency, svgFigures } from "./plot.js";

// Benchmarks, not timed tests: the machines are shared and noisy, so read ratios, not absolutes.
const results: Result[] = [];
function report(r: Result): void {
  results.push(r);
  const target = r.target ? `  target ${r.target}: ${r.met ? "met" : "NOT met"}` : "";
  console.log(`${r.name.padEnd(44)} ${r.value.toFixed(r.value < 10 ? 3 : 1).padStart(10)} ${r.unit}${target}`);
}
for (const w of [...workloads, nnTrainStep]) report(w());
report(await plotLatency());
report(await liveCurveOverhead());
for (const r of await svgFigures()) report(r);
for (const r of await runWebGpuBench()) report(r);
mkdirSync("bench-results", { recursive: true });
const file = "bench-results/core.json";
writeFileSync(file + ".tmp", JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2));
renameSync(file + ".tmp", file);
console.log(`\nwrote ${file}`);
