import { describe, expect, it } from 'vitest';
import { messageTemplate } from './messageTemplate.js';

describe('messageTemplate', () => {
  it('masks numbers, uuids, ids, paths, URLs and quoted values so variants group together', () => {
    const a = messageTemplate('Timeout after 3021 ms calling /srv/data/a.json for session 3f2a9c1e-1b2c-4d3e-8f90-123456789abc');
    const b = messageTemplate('Timeout after 12 ms calling /tmp/x/y/z.txt for session 00000000-1111-4222-8333-444444444444');
    expect(a).toBe('Timeout after <n> ms calling <path> for session <uuid>');
    expect(b).toBe(a);
    expect(messageTemplate('Tool call toolu_01AbCdEf9 failed: "file missing" at https://x.io/a?b=1')).toBe('Tool call <id> failed: <str> at <url>');
    expect(messageTemplate('hash deadbeef12 and 0x1F00')).toBe('hash <id> and <hex>');
  });

  it('keeps the words that tell errors apart', () => {
    expect(messageTemplate('Connection refused')).not.toBe(messageTemplate('Connection reset'));
  });
});
