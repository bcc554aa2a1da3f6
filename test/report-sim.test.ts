import { runScenario, type ScenarioRun } from '@debbie/aiwhisperer-sim';
import { LogAnalyzer, renderReportMarkdown, type AnalysisReport } from '@debbie/report';
import { beforeAll, describe, expect, it } from 'vitest';

// The report's numbers against the simulator's ground truth: the scenario knows which tool was
// slow and by how much (jitter 0 so the usual duration is exact).

describe('LogAnalyzer on simulated AIWhisperer sessions', () => {
  let run: ScenarioRun;
  let report: AnalysisReport;

  beforeAll(async () => {
    run = await runScenario('slow-tool', { seed: 3, jitter: 0 });
    const slow = run.truth.slow!;
    report = await new LogAnalyzer().analyze(run.events.filter((e) => e.session_id === slow.session_id));
  });

  it('names the slow tool, its slow call and the slowness factor the scenario injected', () => {
    const slow = run.truth.slow!;
    expect(slow.tool).toBe('search_code');
    const tool = report.performance!.tools.find((t) => t.name === slow.tool)!;
    // max is exact; the slowest tool span is the injected one
    expect(tool.max_ms).toBeCloseTo(slow.actual_ms, 0);
    const slowest = report.performance!.slowest.find((s) => s.source === 'tool')!;
    expect(slowest.name).toBe(slow.tool);
    expect(slowest.duration_ms).toBeCloseTo(slow.actual_ms, 0);
    // p50 is the usual duration (within the sketch's 1%)
    expect(tool.p50_ms).toBeGreaterThanOrEqual(slow.expected_ms * 0.99);
    expect(tool.p50_ms).toBeLessThanOrEqual(slow.expected_ms * 1.01);
    const finding = report.patterns!.findings.find((f) => f.pattern === 'slow_tool')!;
    expect(finding.origin).toBe('detector');
    expect(finding.summary).toContain(`Slow tool: ${slow.tool}`);
    // the detector judges against the tool's running mean (rounded to 0.1×)
    expect(finding.metrics!.factor).toBeGreaterThan(slow.factor * 0.9);
    expect(finding.metrics!.factor).toBeLessThan(slow.factor * 1.1);
    expect(finding.evidence).toEqual([slowest.event_id]);
    // no other tool is called slow
    expect(report.patterns!.findings.filter((f) => f.pattern === 'slow_tool')).toHaveLength(1);
    const rec = report.recommendations!.find((r) => r.evidence.includes(slowest.event_id));
    expect(rec?.because).toMatch(/Slow tool/);
  });

  it('counts every event of the session once and renders the finding in Markdown', () => {
    const sessionEvents = run.events.filter((e) => e.session_id === run.truth.slow!.session_id);
    expect(report.event_count).toBe(sessionEvents.length);
    const perSource: Record<string, number> = {};
    for (const e of sessionEvents) perSource[e.source] = (perSource[e.source] ?? 0) + 1;
    expect(report.events_per_source).toEqual(perSource);
    expect(renderReportMarkdown(report)).toContain(`**slow_tool** [detector]`);
  });

  it('finds the tool loop of the tool-loop scenario (same tool, same arguments) and none in slow-tool', async () => {
    expect(report.patterns!.findings.filter((f) => f.pattern === 'tool_loop')).toEqual([]);
    const loop = await runScenario('tool-loop', { seed: 3, jitter: 0 });
    const fault = loop.truth.faults.find((f) => f.pattern === 'tool_loop')!;
    const r = await new LogAnalyzer().analyze(loop.events.filter((e) => e.session_id === fault.session_id));
    const findings = r.patterns!.findings.filter((f) => f.pattern === 'tool_loop');
    expect(findings).toHaveLength(1);
    // one finding for the insight, with its final count (opening and updates folded)
    expect(findings[0]!.summary).toContain(`Tool loop: ${fault.tool} called ${fault.count} times with the same arguments`);
    const loopSpans = loop.events.filter((e) => e.session_id === fault.session_id && e.kind === 'span' && e.details.tool_name === fault.tool);
    expect(findings[0]!.evidence.every((id) => loopSpans.some((e) => e.event_id === id))).toBe(true);
  });

  it('groups the error burst of the error-burst scenario into one template with its count', async () => {
    const burst = await runScenario('error-burst', { seed: 5, jitter: 0 });
    const fault = burst.truth.faults.find((f) => f.pattern === 'error_burst')!;
    const r = await new LogAnalyzer().analyze(burst.events.filter((e) => e.session_id === fault.session_id));
    const group = r.errors!.groups.find((g) => g.template.includes('FileNotFoundError'))!;
    expect(group.template).toContain('No such file or directory: <str>');
    const toolErrors = burst.events.filter(
      (e) => e.session_id === fault.session_id && (e.level === 'ERROR' || e.level === 'CRITICAL') && e.event_summary.includes('FileNotFoundError'),
    );
    expect(group.count).toBe(toolErrors.length);
    expect(group.count).toBeGreaterThanOrEqual(fault.count ?? 3);
    expect(group.first_seen >= fault.start && group.first_seen <= fault.end).toBe(true);
    expect(r.patterns!.findings.some((f) => f.pattern === 'error_burst')).toBe(true);
  });
});
