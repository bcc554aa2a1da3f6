import type { AnalysisReport, LatencyStats } from './AnalysisReport.js';

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ms`);
/** Ends text with exactly one full stop (or its own ! or ?). */
const sentence = (s: string) => (/[.!?)]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);
/** Keeps table cells on one line and pipes from splitting columns. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

function latencyTable(rows: readonly LatencyStats[], withTokens: boolean): string[] {
  const head = withTokens ? '| model | calls | p50 | p95 | max | total | tokens in/out |' : '| tool | calls | p50 | p95 | max | total |';
  const lines = [head, withTokens ? '|---|--:|--:|--:|--:|--:|--:|' : '|---|--:|--:|--:|--:|--:|'];
  for (const r of rows) {
    const base = `| ${cell(r.name)} | ${r.count} | ${ms(r.p50_ms)} | ${ms(r.p95_ms)} | ${ms(r.max_ms)} | ${ms(r.total_ms)} |`;
    const t = r as LatencyStats & { input_tokens?: number; output_tokens?: number };
    lines.push(withTokens ? `${base} ${t.input_tokens ?? 0}/${t.output_tokens ?? 0} |` : base);
  }
  return lines;
}

/** The report as Markdown, for the terminal or a PR comment. */
export function renderReportMarkdown(r: AnalysisReport): string {
  const out: string[] = [];
  out.push(`# Debbie analysis report${r.session_id ? `: session ${r.session_id}` : ''}`, '');
  out.push(
    `${r.event_count} events from ${r.first_timestamp ?? '-'} to ${r.last_timestamp ?? '-'} (${ms(r.duration_ms)})` +
      (r.agents.length ? `; agents ${r.agents.join(', ')}` : '') +
      '.',
  );
  if (r.time_range) out.push(`Time range: ${r.time_range.start ?? '…'} to ${r.time_range.end ?? '…'}.`);
  out.push(`Quantiles: ${r.accuracy.quantiles}.`);
  if (r.truncated.bad_timestamps) out.push(`Skipped ${r.truncated.bad_timestamps} event(s) whose timestamp is not ISO-8601.`);
  out.push('');

  if (r.performance) {
    const p = r.performance;
    out.push('## Performance', '');
    out.push('### Tools', '', ...(p.tools.length ? latencyTable(p.tools, false) : ['No tool spans.']), '');
    out.push('### Models', '', ...(p.models.length ? latencyTable(p.models, true) : ['No model calls.']), '');
    out.push('### Slowest operations', '');
    if (p.slowest.length) {
      out.push('| duration | source | name | agent | when | event |', '|--:|---|---|---|---|---|');
      for (const s of p.slowest) out.push(`| ${ms(s.duration_ms)} | ${s.source} | ${cell(s.name)} | ${s.agent_id ?? ''} | ${s.timestamp} | ${s.event_id} |`);
    } else out.push('No spans.');
    out.push('', '### Time per source', '', '| source | events | spans | span time | share |', '|---|--:|--:|--:|--:|');
    for (const s of p.per_source) out.push(`| ${s.source} | ${s.events} | ${s.spans} | ${ms(s.span_ms)} | ${(s.share * 100).toFixed(1)}% |`);
    out.push('');
  }
  if (r.errors) {
    const e = r.errors;
    out.push('## Errors', '');
    if (e.total === 0) out.push('No errors.');
    else {
      out.push(`${e.total} error(s) in ${e.groups.length} group(s)${e.ungrouped ? `; ${e.ungrouped} not grouped (group limit reached)` : ''}.`, '');
      out.push('| count | template | first seen | last seen | agents | sources | events |', '|--:|---|---|---|---|---|---|');
      for (const g of e.groups) {
        out.push(
          `| ${g.count}${g.critical ? ` (${g.critical} critical)` : ''} | ${cell(g.template)} | ${g.first_seen} | ${g.last_seen} | ` +
            `${g.agents.join(', ')}${g.agents_truncated ? ', …' : ''} | ${g.sources.join(', ')} | ${g.sample_event_ids.join(', ')} |`,
        );
      }
    }
    out.push('');
  }
  if (r.patterns) {
    const p = r.patterns;
    out.push('## Patterns', '');
    out.push(
      `${p.stored_comments} stored Debbie comment(s). Finders: ${p.origins.join(', ')}` +
        " (commentary = stored debbie_comment events; detector = commentary detectors run by the report; analyzer = the report's own checks).",
      '',
    );
    if (p.findings.length === 0) out.push('No patterns found.');
    for (const f of p.findings) {
      const conf = f.confidence !== null ? ` (confidence ${f.confidence.toFixed(2)})` : '';
      out.push(`- **${f.pattern}** [${f.origin}]${conf}: ${f.summary}${f.evidence.length ? ` — evidence: ${f.evidence.join(', ')}` : ''}`);
      for (const rec of f.recommendations) out.push(`  - ${rec}`);
    }
    if (p.dropped) out.push(`- … ${p.dropped} more finding(s) not listed.`);
    out.push('');
  }
  if (r.recommendations) {
    out.push('## Recommendations', '');
    if (r.recommendations.length === 0) out.push('Nothing to recommend.');
    r.recommendations.forEach((rec, i) => {
      out.push(
        `${i + 1}. **[${rec.priority}]** ${sentence(rec.action)}`,
        `   Because: ${sentence(rec.because)}`,
        `   Evidence: ${rec.evidence.length ? rec.evidence.join(', ') : '-'}`,
      );
    });
    out.push('');
  }
  return out.join('\n');
}

/** The report as pretty JSON (the AnalysisReport object itself). */
export function renderReportJson(r: AnalysisReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
