import type { Module } from "./module.js";

interface Row {
  name: string;
  layer: string;
  shapes: string;
  params: number;
}

function rows(m: Module): Row[] {
  const children = m.namedChildren();
  if (children.length === 0) return [];
  const out: Row[] = [];
  for (const [name, c] of children) {
    const own = c.namedParameters().filter(([k]) => !k.includes("."));
    out.push({
      name,
      layer: c.describe(),
      shapes: own.map(([k, p]) => `${k} [${p.shape.join(", ")}]`).join(", "),
      params: c.numParameters(),
    });
  }
  return out;
}

/** The text form of a model: one row per layer with parameter shapes and counts. */
export function moduleTable(m: Module): string {
  const body = rows(m);
  const total = m.numParameters();
  if (body.length === 0) {
    const own = m.namedParameters().map(([k, p]) => `${k} [${p.shape.join(", ")}]`).join(", ");
    return `${m.describe()}${own ? `  ${own}` : ""}  (${total.toLocaleString("en-US")} parameters)`;
  }
  const w = [Math.max(4, ...body.map((r) => r.name.length)), Math.max(5, ...body.map((r) => r.layer.length)), Math.max(10, ...body.map((r) => r.shapes.length))];
  const line = (a: string, b: string, c: string, d: string) => `  ${a.padEnd(w[0]!)}  ${b.padEnd(w[1]!)}  ${c.padEnd(w[2]!)}  ${d.padStart(10)}`;
  return [
    `${m.constructor.name}(`,
    line("name", "layer", "parameters", "count"),
    ...body.map((r) => line(r.name, r.layer, r.shapes || "—", r.params.toLocaleString("en-US"))),
    `)  total: ${total.toLocaleString("en-US")} parameters`,
  ].join("\n");
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function moduleHtml(m: Module): string {
  const body = rows(m);
  const total = m.numParameters().toLocaleString("en-US");
  if (body.length === 0) return `<pre>${esc(moduleTable(m))}</pre>`;
  const tr = body
    .map((r) => `<tr><td>${esc(r.name)}</td><td><code>${esc(r.layer)}</code></td><td>${esc(r.shapes || "—")}</td><td style="text-align:right">${r.params.toLocaleString("en-US")}</td></tr>`)
    .join("");
  return `<table class="gradlab-model"><caption style="text-align:left"><b>${esc(m.constructor.name)}</b> · ${total} parameters</caption><thead><tr><th>name</th><th>layer</th><th>parameters</th><th>count</th></tr></thead><tbody>${tr}</tbody></table>`;
}
