import { escapeHtml, jsonForScript, scriptSafe } from './escapeHtml.js';
import { d3Source, timelineClientSource } from './timelineAssets.js';
import type { TimelineData } from './TimelineData.js';

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;color:#1d2330;background:#eef0f6}
header{padding:10px 16px 6px;background:#1d2330;color:#fff}
header h1{margin:0;font-size:16px;font-weight:600}
header #meta{color:#b9c0d4;font-size:12px}
#toolbar{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;padding:8px 16px;background:#fff;border-bottom:1px solid #dde1ec}
#toolbar fieldset{border:0;margin:0;padding:0;display:flex;gap:4px;align-items:center;flex-wrap:wrap}
#toolbar legend{float:left;margin-right:4px;color:#667;font-size:11px;text-transform:uppercase;letter-spacing:.04em}
.chip{display:inline-flex;align-items:center;gap:4px;padding:1px 7px 1px 3px;border:1px solid #dde1ec;border-radius:11px;background:#fafbfe;cursor:pointer;font-size:12px}
.chip input{margin:0}.swatch{width:9px;height:9px;border-radius:2px;display:inline-block}
#search{width:190px;padding:3px 7px;border:1px solid #c9cfdd;border-radius:4px}
button,select{font:inherit;padding:2px 8px;border:1px solid #c9cfdd;border-radius:4px;background:#fff;cursor:pointer}
#status,#viewinfo{color:#556;font-size:12px}
#main{display:grid;grid-template-columns:1fr 340px;gap:0;height:calc(100vh - 104px);min-height:300px}
#chartwrap{overflow:auto;background:#fff;border-right:1px solid #dde1ec;position:relative}
#chart{display:grid;grid-template-columns:${170}px 1fr}
#labels{position:relative;border-right:1px solid #dde1ec;margin-top:26px}
.lane-label{position:absolute;left:0;right:0;padding:0 8px;border-left:4px solid #999;border-bottom:1px solid #eef0f6;overflow:hidden;white-space:nowrap;display:flex;align-items:center;gap:6px}
.lane-label b{font-weight:600;overflow:hidden;text-overflow:ellipsis}.lane-label small{color:#778;margin-left:auto;font-variant-numeric:tabular-nums}
#plot{position:relative;min-width:0}
#axis{display:block;overflow:visible}#axis text{fill:#556}#axis path,#axis line{stroke:#c9cfdd}
#canvas{display:block;cursor:grab}
#ovwrap{position:sticky;bottom:0;background:#fafbfe;border-top:1px solid #dde1ec;display:grid;grid-template-columns:${170}px 1fr}
#ovwrap span{padding:14px 8px;color:#667;font-size:11px}
.ov-area{fill:#9fb4de}.ov-gap{fill:rgba(217,72,95,.25)}
.brush .selection{fill:#4e79a7;fill-opacity:.18;stroke:#4e79a7}
#details{overflow:auto;padding:12px 14px;background:#fff}
#details h3{margin:0 0 8px;font-size:14px;word-break:break-word}
#details dl{display:grid;grid-template-columns:84px 1fr;gap:2px 8px;margin:0 0 10px}
#details dt{color:#778}#details dd{margin:0;word-break:break-all}
#details .err{color:#d9485f;font-weight:600}
#details pre{background:#f4f5fa;padding:8px;border-radius:4px;font-size:11px;white-space:pre-wrap;word-break:break-all;max-height:50vh;overflow:auto}
.hint{color:#778}
#tip{position:fixed;display:none;pointer-events:none;max-width:420px;padding:4px 8px;background:#1d2330;color:#fff;border-radius:4px;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;z-index:10}
#legend{display:flex;gap:12px;color:#556;font-size:12px}
#legend i{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:-1px}
`;

const BODY = `
<header><h1 id="title"></h1><div id="meta"></div></header>
<div id="toolbar">
  <label>Lanes <select id="mode"><option value="source">per source</option><option value="agent">per agent</option></select></label>
  <fieldset id="sources"><legend>Sources</legend></fieldset>
  <fieldset id="levels"><legend>Levels</legend></fieldset>
  <input id="search" type="search" placeholder="Filter text, id, agent…" aria-label="Filter by text">
  <button id="reset" type="button">Reset zoom</button>
  <button id="clear" type="button">Clear selection</button>
  <span id="status"></span> <span id="viewinfo"></span>
  <span id="legend"><span><i style="background:rgba(217,72,95,.25);border:1px dashed #d9485f"></i>stall</span><span><i style="background:#b04fd1;width:3px"></i>Debbie comment</span><span><i style="background:#d9485f"></i>error</span></span>
</div>
<div id="main">
  <div id="chartwrap">
    <div id="chart"><div id="labels"></div><div id="plot"><svg id="axis"></svg><canvas id="canvas"></canvas></div></div>
    <div id="ovwrap"><span>overview (brush)</span><svg id="overview"></svg></div>
  </div>
  <aside id="details"></aside>
</div>
<div id="tip" role="tooltip"></div>`;

/**
 * The timeline as ONE self-contained HTML page: D3 and the client code inlined, the data as
 * escaped JSON in a non-executed script element, and a Content-Security-Policy that forbids
 * every network request.
 */
export function renderTimelineHtml(data: TimelineData): string {
  const title = `Debbie timeline — session ${data.session_id}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head><body>${BODY}
<script id="debbie-data" type="application/json">${jsonForScript(data)}</script>
<script>${scriptSafe(d3Source())}</script>
<script>${scriptSafe(timelineClientSource())}</script>
</body></html>
`;
}
