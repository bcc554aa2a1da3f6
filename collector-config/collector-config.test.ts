import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

// Component types of the contrib distribution that these files may use (type = name before "/").
const KNOWN_TYPES: Record<'receivers' | 'processors' | 'exporters', string[]> = {
  receivers: ['otlp'],
  processors: ['memory_limiter', 'batch', 'resource', 'attributes', 'transform', 'filter'],
  exporters: ['otlp_grpc', 'otlp_http', 'otlp', 'otlphttp', 'load_balancing', 'elasticsearch', 'splunk_hec', 'debug'],
};
const KINDS = ['receivers', 'processors', 'exporters'] as const;

type Config = Record<string, unknown> & {
  service: { pipelines: Record<string, Record<string, string[]>> };
};

describe('collector-config', () => {
  it('has the configurations the README lists', () => {
    const readme = readFileSync(`${dir}README.md`, 'utf8');
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) expect(readme).toContain(`\`${f}\``);
  });

  it.each(files)('%s: every pipeline names only defined components, and every component is used', (file) => {
    const config = parse(readFileSync(`${dir}${file}`, 'utf8')) as Config;
    const pipelines = Object.entries(config.service.pipelines);
    expect(pipelines.length).toBeGreaterThan(0);
    const used = new Set<string>();
    for (const [name, pipeline] of pipelines) {
      expect(['traces', 'logs', 'metrics'], `pipeline ${name}`).toContain(name.split('/')[0]);
      expect(pipeline.receivers?.length, `${name}: receivers`).toBeGreaterThan(0);
      expect(pipeline.exporters?.length, `${name}: exporters`).toBeGreaterThan(0);
      for (const kind of KINDS) {
        const defined = Object.keys((config[kind] as Record<string, unknown> | undefined) ?? {});
        for (const id of pipeline[kind] ?? []) {
          expect(defined, `${file}: pipeline ${name} names ${kind.slice(0, -1)} "${id}"`).toContain(id);
          used.add(`${kind}:${id}`);
        }
      }
    }
    for (const kind of KINDS) {
      for (const id of Object.keys((config[kind] as Record<string, unknown> | undefined) ?? {})) {
        expect(KNOWN_TYPES[kind], `${file}: ${kind} "${id}" has an unknown type`).toContain(id.split('/')[0]);
        expect(used.has(`${kind}:${id}`), `${file}: ${kind} "${id}" is defined but no pipeline uses it`).toBe(true);
      }
    }
  });

  it('routes by session.id wherever Debbie nodes are load-balanced', () => {
    const config = parse(readFileSync(`${dir}session-routing.yaml`, 'utf8')) as {
      exporters: Record<string, { routing_key?: string; routing_attributes?: string[] }>;
    };
    const lb = Object.entries(config.exporters).filter(([id]) => id.startsWith('load_balancing'));
    expect(lb).toHaveLength(1);
    // Straight to the Debbie nodes' OTLP/gRPC port (no second collector), gzip, with the token.
    expect(lb[0]![1]).toMatchObject({
      routing_key: 'attributes',
      routing_attributes: ['session.id'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the Collector's own ${env:…} expansion, not a JS template
      protocol: { otlp: { compression: 'gzip', headers: { Authorization: 'Bearer ${env:DEBBIE_TOKEN}' } } },
      resolver: { dns: { port: 4317 } },
    });
  });

  it('sends Debbie both traces and logs, compressed, in every config that targets it', () => {
    for (const file of files) {
      const config = parse(readFileSync(`${dir}${file}`, 'utf8')) as Config & { exporters: Record<string, { compression?: string }> };
      for (const [id, exporter] of Object.entries(config.exporters)) {
        if (!id.endsWith('/debbie') || id.startsWith('load_balancing')) continue;
        expect(exporter.compression, `${file}: ${id}`).toBe('gzip');
        const targets = Object.entries(config.service.pipelines)
          .filter(([, p]) => p.exporters?.includes(id))
          .map(([n]) => n);
        expect(targets.sort(), `${file}: ${id}`).toEqual(['logs', 'traces']);
      }
    }
  });
});
