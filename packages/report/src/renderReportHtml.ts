import type { AnalysisReport, LatencyStats } from './AnalysisReport.js';
import { escapeHtml as h } from './escapeHtml.js';

const sentence = (s: string) => (/[.!?)]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ms`);

function table(head: string[], rows: string[][], numeric: boolean[] = []): string {
  const th = head.map((c, i) => `<th${numeric[i] ? ' class="n"' : ''}>${h(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const ids = (list: readonly string[]) => list.map((id) => `<code>${h(id)}</code>`).join(' ');

function latency(rows: readonly LatencyStats[], tokens: boolean): string {
  const head = ['name', 'calls', 'p50', 'p95', 'max', 'total', ...(tokens ? ['tokens in/out'] : [])];
  return table(
    head,
    rows.map((r) => {
      const t = r as LatencyStats & { input_tokens?: number; output_tokens?: number };
      return [
        h(r.name),
        String(r.count),
        ms(r.p50_ms),
        ms(r.p95_ms),
        ms(r.max_ms),
        ms(r.total_ms),
        ...(tokens ? [`${t.input_tokens ?? 0}/${t.output_tokens ?? 0}`] : []),
      ];
    }),
    [false, true, true, true, true, true, true],
  );
}

/** The report as one self-contained HTML page (no scripts, no external resources). */
export function renderReportHtml(r: AnalysisReport): string {
  const parts: string[] = [];
  const title = `Debbie report${r.session_id ? ` — session ${r.session_id}` : ''}`;
  parts.push(`<h1>${h(title)}</h1>`);
  parts.push(
    `<p class="meta">${r.event_count} events from ${h(r.first_timestamp ?? '-')} to ${h(r.last_timestamp ?? '-')} (${ms(r.duration_ms)})` +
      `${r.agents.length ? `; agents ${h(r.agents.join(', '))}` : ''}. Quantiles: ${h(r.accuracy.quantiles)}.</p>`,
  );
  if (r.performance) {
    const p = r.performance;
    parts.push('<section id="performance"><h2>Performance</h2>');
    parts.push('<h3>Tools</h3>', p.tools.length ? latency(p.tools, false) : '<p>No tool spans.</p>');
    parts.push('<h3>Models</h3>', p.models.length ? latency(p.models, true) : '<p>No model calls.</p>');
    parts.push(
      '<h3>Slowest operations</h3>',
      table(
        ['duration', 'source', 'name', 'agent', 'when', 'event'],
        p.slowest.map((s) => [ms(s.duration_ms), h(s.source), h(s.name), h(s.agent_id ?? ''), h(s.timestamp), ids([s.event_id])]),
        [true],
      ),
    );
    parts.push(
      '<h3>Time per source</h3>',
      table(
        ['source', 'events', 'spans', 'span time', 'share'],
        p.per_source.map((s) => [
          h(s.source),
          String(s.events),
          String(s.spans),
          ms(s.span_ms),
          `<span class="bar" style="width:${(s.share * 100).toFixed(1)}px"></span> ${(s.share * 100).toFixed(1)}%`,
        ]),
        [false, true, true, true, false],
      ),
    );
    parts.push('</section>');
  }
  if (r.errors) {
    const e = r.errors;
    parts.push('<section id="errors"><h2>Errors</h2>');
    parts.push(
      e.total === 0
        ? '<p>No errors.</p>'
        : `<p>${e.total} error(s) in ${e.groups.length} group(s)${e.ungrouped ? `; ${e.ungrouped} not grouped` : ''}.</p>` +
            table(
              ['count', 'template', 'first seen', 'last seen', 'agents', 'sources', 'events'],
              e.groups.map((g) => [
                `${g.count}${g.critical ? ` (${g.critical} critical)` : ''}`,
                `<code>${h(g.template)}</code>`,
                h(g.first_seen),
                h(g.last_seen),
                h(g.agents.join(', ') + (g.agents_truncated ? ', …' : '')),
                h(g.sources.join(', ')),
                ids(g.sample_event_ids),
              ]),
              [true],
            ),
    );
    parts.push('</section>');
  }
  if (r.patterns) {
    const p = r.patterns;
    parts.push('<section id="patterns"><h2>Patterns</h2>');
    parts.push(`<p>${p.stored_comments} stored Debbie comment(s). Finders: ${h(p.origins.join(', '))}.</p><ul>`);
    for (const f of p.findings) {
      parts.push(
        `<li><span class="tag ${h(f.origin)}">${h(f.origin)}</span> <b>${h(f.pattern)}</b>` +
          `${f.confidence !== null ? ` (confidence ${f.confidence.toFixed(2)})` : ''}: ${h(f.summary)}` +
          `${f.evidence.length ? `<br><small>evidence: ${ids(f.evidence)}</small>` : ''}` +
          `${f.recommendations.length ? `<ul>${f.recommendations.map((x) => `<li>${h(x)}</li>`).join('')}</ul>` : ''}</li>`,
      );
    }
    parts.push(`</ul>${p.findings.length === 0 ? '<p>No patterns found.</p>' : ''}${p.dropped ? `<p>${p.dropped} more not listed.</p>` : ''}</section>`);
  }
  if (r.recommendations) {
    parts.push('<section id="recommendations"><h2>Recommendations</h2><ol>');
    for (const rec of r.recommendations) {
      parts.push(
        `<li><span class="prio ${rec.priority}">${rec.priority}</span> ${h(sentence(rec.action))}<br><small>Because: ${h(sentence(rec.because))}` +
          `${rec.evidence.length ? ` Evidence: ${ids(rec.evidence)}` : ''}</small></li>`,
      );
    }
    parts.push(`</ol>${r.recommendations.length === 0 ? '<p>Nothing to recommend.</p>' : ''}</section>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${h(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2330}
h1{font-size:1.5rem}h2{border-bottom:1px solid #dde;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:13px}th,td{padding:.25rem .6rem;border-bottom:1px solid #eef;text-align:left;vertical-align:top}
th{background:#f4f5fa}.n{text-align:right}code{font-size:12px;background:#f4f5fa;padding:0 .2rem;border-radius:3px}
.meta{color:#556}.bar{display:inline-block;height:.6rem;background:#5b8def;border-radius:2px}
.tag{font-size:11px;padding:0 .35rem;border-radius:8px;background:#e6e9f5}.tag.commentary{background:#f3e3ff}.tag.detector{background:#ffe9d6}
.prio{font-size:11px;font-weight:600;text-transform:uppercase;padding:0 .35rem;border-radius:3px;color:#fff;background:#889}
.prio.high{background:#d9485f}.prio.medium{background:#e39b2d}small{color:#556}
</style></head><body>
${parts.join('\n')}
</body></html>
`;
}
