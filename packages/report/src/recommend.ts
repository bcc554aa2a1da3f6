import type { ErrorGroup, PatternFinding, Recommendation } from './AnalysisReport.js';

const RANK = { high: 0, medium: 1, low: 2 } as const;

/** What each analyzer finding suggests doing. */
function forFinding(f: PatternFinding): Omit<Recommendation, 'evidence'> | null {
  switch (f.pattern) {
    case 'stall_after_tool':
      return {
        priority: 'high',
        action:
          'Make the agent continue after tool results: check the continuation decision, or let Debbie inject a continuation prompt when a turn goes silent after a tool',
        because: f.summary,
      };
    case 'stall':
      return {
        priority: 'medium',
        action: 'Find what the session was waiting for during the silence (a pending request, a user prompt, a timeout)',
        because: f.summary,
      };
    case 'tool_loop':
      return {
        priority: 'high',
        action: 'Break the tool loop: add a repeat guard in the agent loop, or reset its state after N identical calls',
        because: f.summary,
      };
    case 'slow_tool':
      return {
        priority: 'medium',
        action: 'Speed up or bound the slow tool: add a timeout, cache its results, or check the service it calls',
        because: f.summary,
      };
    case 'slow_model':
      return { priority: 'medium', action: 'Reduce model latency: shorter prompts, a faster model for this step, or streaming the reply', because: f.summary };
    default:
      return null;
  }
}

/**
 * Actionable recommendations, each tied to the events that show the problem: one per analyzer
 * finding, the commentary's own recommendations, and one per recurring or critical error group.
 */
export function recommend(findings: readonly PatternFinding[], errors: readonly ErrorGroup[], burst: number, max = 20): Recommendation[] {
  const out: Recommendation[] = [];
  const seen = new Set<string>();
  const push = (r: Recommendation) => {
    const key = `${r.action}\u0000${r.because}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  for (const f of findings) {
    if (f.origin === 'analyzer') {
      const r = forFinding(f);
      if (r) push({ ...r, evidence: f.evidence });
    } else {
      const evidence = f.event_id ? [f.event_id, ...f.evidence] : f.evidence;
      const priority = (f.confidence ?? 0) >= 0.85 ? 'high' : 'medium';
      for (const action of f.recommendations) push({ priority, action, because: `${f.pattern}: ${f.summary}`, evidence });
    }
  }
  for (const g of errors) {
    if (g.count < burst && g.critical === 0) continue;
    push({
      priority: g.critical > 0 ? 'high' : 'medium',
      action: `Fix the recurring error "${g.template}"`,
      because: `${g.count} occurrence(s) from ${g.sources.join(', ')}${g.agents.length ? ` affecting agent(s) ${g.agents.join(', ')}` : ''}, first ${g.first_seen}, last ${g.last_seen}`,
      evidence: g.sample_event_ids,
    });
  }
  return out.sort((a, b) => RANK[a.priority] - RANK[b.priority]).slice(0, max);
}
