// Compare two runs: their tool and model steps aligned side by side (a diff of the sequences),
// durations, tokens and errors, and the first step where they diverge marked.
import { getJson } from './api.js';
import { clear, h } from './dom.js';
import { fmtMs, shortId } from './format.js';
import type { Page } from './main.js';
import type { RunComparison, RunStep } from './types.js';

export function comparePage(root: HTMLElement, a: string, b: string): Page {
  const body = h('div', { class: 'cmp', id: 'comparison', tabindex: '0' }, h('p', { class: 'muted', style: 'padding:10px 14px' }, 'loading…'));
  const summary = h('span', { class: 'muted' });
  clear(root);
  root.append(
    h(
      'div',
      { class: 'shead' },
      h('a', { href: '#/' }, '← sessions'),
      h('h1', {}, 'Compare two runs'),
      h('a', { href: `#/session/${encodeURIComponent(a)}` }, `A ${shortId(a)}`),
      h('a', { href: `#/session/${encodeURIComponent(b)}` }, `B ${shortId(b)}`),
      h(
        'button',
        {
          type: 'button',
          id: 'swap',
          onclick: () => {
            location.hash = `#/compare/${encodeURIComponent(b)}/${encodeURIComponent(a)}`;
          },
        },
        'swap',
      ),
      summary,
    ),
    body,
  );

  const cells = (s: RunStep | undefined, session: string) =>
    s
      ? [
          h('td', {}, h('a', { href: `#/session/${encodeURIComponent(session)}?event=${encodeURIComponent(s.event_id)}` }, `${s.kind} ${s.name}`)),
          h('td', { class: 'n' }, fmtMs(s.duration_ms)),
          h('td', { class: 'n' }, s.input_tokens || s.output_tokens ? `${s.input_tokens}/${s.output_tokens}` : ''),
          h('td', { class: s.error ? 'errn' : '' }, s.error ? 'error' : ''),
        ]
      : [h('td', { class: 'gapcell', colspan: '4' }, '— no step here —')];

  void (async () => {
    try {
      const c = await getJson<RunComparison>(`/console/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
      const same = c.rows.filter((r) => r.same).length;
      summary.textContent =
        `${c.a.steps.length} vs ${c.b.steps.length} steps, ${same} aligned alike; ` +
        (c.first_divergence === null ? 'the runs never diverge' : `first divergence at row ${c.first_divergence + 1}`) +
        (c.a.dropped || c.b.dropped ? ` (steps over the limit left out: A ${c.a.dropped}, B ${c.b.dropped})` : '');
      const t = (side: RunComparison['a']) => side.totals;
      const table = h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, '#'),
            h('th', {}, `A ${shortId(a)}`),
            h('th', {}, 'duration'),
            h('th', {}, 'tokens in/out'),
            h('th', {}, 'error'),
            h('th', {}, `B ${shortId(b)}`),
            h('th', {}, 'duration'),
            h('th', {}, 'tokens in/out'),
            h('th', {}, 'error'),
          ),
        ),
        h(
          'tbody',
          {},
          h(
            'tr',
            { class: 'sum' },
            h('td', {}, 'total'),
            h('td', {}, `${c.a.steps.length} steps`),
            h('td', { class: 'n' }, fmtMs(t(c.a).duration_ms)),
            h('td', { class: 'n' }, `${t(c.a).input_tokens}/${t(c.a).output_tokens}`),
            h('td', { class: t(c.a).errors ? 'errn' : '' }, String(t(c.a).errors)),
            h('td', {}, `${c.b.steps.length} steps`),
            h('td', { class: 'n' }, fmtMs(t(c.b).duration_ms)),
            h('td', { class: 'n' }, `${t(c.b).input_tokens}/${t(c.b).output_tokens}`),
            h('td', { class: t(c.b).errors ? 'errn' : '' }, String(t(c.b).errors)),
          ),
          ...c.rows.map((r, k) =>
            h(
              'tr',
              { class: `${r.same ? '' : 'diff'}${k === c.first_divergence ? ' first' : ''}`, id: k === c.first_divergence ? 'first-divergence' : undefined },
              h('td', { class: 'n' }, String(k + 1)),
              ...cells(r.a === null ? undefined : c.a.steps[r.a], a),
              ...cells(r.b === null ? undefined : c.b.steps[r.b], b),
            ),
          ),
        ),
      );
      clear(body);
      body.append(table);
      document.getElementById('first-divergence')?.scrollIntoView({ block: 'center' });
      document.body.dataset.compareReady = '1';
    } catch (error) {
      clear(body);
      body.append(h('p', { class: 'error' }, `could not compare: ${(error as Error).message}`));
    }
  })();
  return {
    key: (ev) => {
      if (ev.key === 'Escape') {
        location.hash = '#/';
        return true;
      }
      return false;
    },
    dispose() {},
  };
}
