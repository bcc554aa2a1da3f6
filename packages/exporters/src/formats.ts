/** The formats `debbie export` writes; its own module, so the CLI can name them without loading the exporters. */
export const EXPORT_FORMATS = ['json', 'jsonl', 'csv', 'parquet', 'elasticsearch', 'splunk'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
