import { plotlyGzipBase64 } from "./plotly-source.js";
import { escapeHtml } from "../display/sink.js";
import { svgDataUri } from "./svg/render.js";

export interface PlotlySpec {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
}

let bundleSent = false;

/**
 * plotly.js goes into the first figure's HTML of a kernel session only (compressed, 1.9 MB once
 * instead of 4.8 MB with every plot); later figures wait for `window.Plotly`. A restart starts a new process, so
 * the next session's first plot carries it again; `includePlotlyAgain()` forces it (after
 * clearing all outputs, say).
 */
export function includePlotlyAgain(): void {
  bundleSent = false;
}

/**
 * Unpacks plotly.js in the browser (DecompressionStream: Chrome 80, Firefox 113, Safari 16.4) and
 * runs it, then draws the figures waiting for it. Notebook 6 loads require.js: with `define`
 * visible, plotly registers as an AMD module and never sets window.Plotly, so it is hidden while
 * the bundle runs. Where this cannot work (an old browser, scripts off) the static images stay.
 */
function loaderScript(): string {
  return `<script>(function(){if(window.Plotly||window.__gradlabPlotlyLoading||!window.DecompressionStream)return;window.__gradlabPlotlyLoading=true;
var b=atob("${plotlyGzipBase64()}");var u=new Uint8Array(b.length);for(var i=0;i<b.length;i++)u[i]=b.charCodeAt(i);
new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function(code){
var d=window.define;window.define=undefined;try{(0,eval)(code);}finally{window.define=d;}
var q=window.__gradlabPlotQueue||[];window.__gradlabPlotQueue=[];q.forEach(function(f){f();});});})();</script>`;
}

/** An id as a CSS selector's identifier (ours are letters, digits and dashes; anything else escaped). */
function cssId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);
}

function json(v: unknown): string {
  // "<" escaped so no string inside the data can close the script element.
  return JSON.stringify(v).replace(/</g, "\\u003c");
}

/**
 * The HTML of one figure: its own container id, the static image inside it, and a draw call
 * that waits for plotly.js and then replaces the image. Where scripts do not run (GitHub,
 * untrusted notebooks, nbconvert opened without JavaScript) the image stays. It is an <img> of
 * a data URI: sanitizers that drop inline <svg> keep images, and ids inside cannot clash.
 */
export function figureHtml(spec: PlotlySpec, id: string, includeBundle: boolean | "auto" = "auto", fallback?: { svg: string; alt: string }): string {
  const withBundle = includeBundle === "auto" ? !bundleSent : includeBundle;
  if (withBundle) bundleSent = true;
  const h = Number(spec.layout["height"] ?? 420);
  const w = spec.layout["width"];
  const style = `height:${h}px;${w ? `width:${Number(w)}px;` : "width:100%;"}`;
  const img = fallback
    ? `<img class="gradlab-static" alt="${escapeHtml(fallback.alt)}" src="${svgDataUri(fallback.svg)}" style="display:block;width:100%;height:100%;object-fit:contain" onload="${escapeHtml(runSkippedScripts(id))}">`
    : "";
  return `<div id="${escapeHtml(id)}" class="gradlab-plot" style="${style}">${img}</div>${withBundle ? loaderScript() : ""}<script>(function(){var seen=window.__gradlabSeen=window.__gradlabSeen||{};if(seen[${json(id)}])return;seen[${json(id)}]=1;var spec=${json(spec)};var tries=0;var home=document.currentScript&&document.currentScript.parentNode;
function find(){var el=home&&home.querySelector?home.querySelector("#"+${json(cssId(id))}):null;return el||document.getElementById(${json(id)});}
function draw(){var el=find();if(!el){if(tries++<600)setTimeout(draw,100);return;}if(el.classList.contains("js-plotly-plot"))return;if(window.Plotly){var s=el.querySelector(".gradlab-static");if(s)s.remove();window.Plotly.newPlot(el,spec.data,spec.layout,spec.config);return;}
(window.__gradlabPlotQueue=window.__gradlabPlotQueue||[]).push(draw);if(tries++<600)setTimeout(function(){if(window.Plotly&&!el.classList.contains("js-plotly-plot"))draw();},100);}
draw();})();</script>`;
}

/**
 * The static image's load handler. HTML inserted with innerHTML never runs its <script>s, and
 * some frontends insert outputs that way (Notebook 6's widget Output, for one), while an inline
 * event handler does run there. So once the image has loaded, if the figure's draw script has not
 * run (it marks its figure in `__gradlabSeen`), the handler runs the scripts that follow the
 * figure's container. Sanitizers that drop scripts drop handlers too, and the image stays.
 */
function runSkippedScripts(id: string): string {
  return `var b=this.parentNode;setTimeout(function(){if(!b||(window.__gradlabSeen||{})[${json(id)}])return;for(var n=b.nextSibling;n;n=n.nextSibling)if(n.tagName==='SCRIPT')(0,eval)(n.text);},0)`;
}

/** A whole standalone page with plotly.js inline: opens offline in any browser. */
export function standalonePage(spec: PlotlySpec, title: string, svg?: string): string {
  const fallback = svg ? { svg, alt: title } : undefined;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;margin:16px">${figureHtml(spec, "gradlab-figure", true, fallback)}</body></html>`;
}
