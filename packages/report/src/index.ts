export { LogAnalyzer } from './LogAnalyzer.js';
export type { LogAnalyzerOptions, TimeRange, FindingSource } from './LogAnalyzer.js';
export { ReportAccumulator } from './ReportAccumulator.js';
export type { AnalysisOptions } from './ReportAccumulator.js';
export { REPORT_SECTIONS } from './AnalysisReport.js';
export type {
  AnalysisReport,
  ReportSection,
  LatencyStats,
  ModelStats,
  SlowOperation,
  SourceTime,
  PerformanceSection,
  ErrorGroup,
  ErrorsSection,
  FindingOrigin,
  PatternFinding,
  PatternsSection,
  Recommendation,
} from './AnalysisReport.js';
export { renderReportMarkdown, renderReportJson } from './renderReportMarkdown.js';
export { renderReportHtml } from './renderReportHtml.js';
export { messageTemplate } from './messageTemplate.js';
export { insightFinding } from './commentFinding.js';
export { QuantileSketch } from './QuantileSketch.js';
export type { QuantileSketchOptions } from './QuantileSketch.js';
export { TimelineDataBuilder, buildTimelineData } from './TimelineData.js';
export type { TimelineData, TimelineOptions } from './TimelineData.js';
export { renderTimelineHtml } from './renderTimelineHtml.js';
export { TimelineVisualizer, defaultTimelinePath } from './TimelineVisualizer.js';
export type { TimelineVisualizerOptions } from './TimelineVisualizer.js';
export { escapeHtml, jsonForScript } from './escapeHtml.js';
