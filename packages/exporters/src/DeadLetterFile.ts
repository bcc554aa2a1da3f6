import { appendFile } from 'node:fs/promises';

/**
 * Records events a server refused for good, one JSON object per line with the reason, so that
 * nothing is silently lost and a later run can fix and resend them.
 */
export class DeadLetterFile {
  count = 0;
  constructor(readonly path: string) {}

  async add(entries: readonly { reason: string; status?: number; document: unknown }[]): Promise<void> {
    if (entries.length === 0) return;
    const at = new Date().toISOString();
    let text = '';
    for (const e of entries) text += `${JSON.stringify({ at, status: e.status ?? null, reason: e.reason, document: e.document })}\n`;
    await appendFile(this.path, text);
    this.count += entries.length;
  }
}
