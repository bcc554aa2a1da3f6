// The sessions page: every session, newest first, live; filters, search, paging over 100k.
import { getJson, openLive } from './api.js';
import { clear, h } from './dom.js';
import { fmtInt, fmtMs, fmtTime, shortId } from './format.js';
import type { Page } from './main.js';
import type { ConsoleInfo, SessionPage, SessionRow, SessionStatus } from './types.js';
import { VirtualList } from './VirtualList.js';

const PAGE = 200;
const ROW_H = 28;
const STATUSES: SessionStatus[] = ['running', 'stalled', 'looping', 'erroring', 'finished'];

interface Filters {
  status: string;
  source: string;
  agent: string;
  model: string;
  text: string;
  since: string;
  until: string;
}

export function sessionsPage(root: HTMLElement, info: ConsoleInfo, setLive: (on: boolean) => void, params: URLSearchParams): Page {
  const filters: Filters = {
    status: params.get('status') ?? '',
    source: params.get('source') ?? '',
    agent: params.get('agent') ?? '',
    model: params.get('model') ?? '',
    text: params.get('q') ?? '',
    since: params.get('since') ?? '',
    until: params.get('until') ?? '',
  };
  const pages = new Map<number, SessionRow[]>();
  const loading = new Set<number>();
  let total = 0;
  let generation = 0;
  let selected = 0;
  const marked: string[] = params.get('mark') ? [params.get('mark')!] : [];
  let range: [number, number] = [0, 0];

  const countsEl = h('span', { class: 'counts' });
  const pagerEl = h('div', { class: 'pager', 'aria-live': 'polite' });
  const compareBtn = h(
    'button',
    { type: 'button', id: 'compare', disabled: true, title: 'Compare the two marked sessions (c marks one)' },
    'Compare 2 marked',
  ) as HTMLButtonElement;
  compareBtn.addEventListener('click', () => {
    if (marked.length === 2) location.hash = `#/compare/${encodeURIComponent(marked[0]!)}/${encodeURIComponent(marked[1]!)}`;
  });

  const input = (name: keyof Filters, attrs: Record<string, string>) => {
    const el = h('input', { ...attrs, name, value: filters[name] }) as HTMLInputElement;
    el.addEventListener('input', () => {
      filters[name] = el.value;
      changed();
    });
    return el;
  };
  const statusSel = h(
    'select',
    { name: 'status', 'aria-label': 'Status' },
    h('option', { value: '' }, 'any status'),
    ...STATUSES.map((s) => h('option', { value: s }, s)),
  ) as HTMLSelectElement;
  statusSel.value = filters.status;
  statusSel.addEventListener('change', () => {
    filters.status = statusSel.value;
    changed();
  });
  const sourceSel = h(
    'select',
    { name: 'source', 'aria-label': 'Source' },
    h('option', { value: '' }, 'any source'),
    ...['session', 'agent', 'ai_service', 'tool', 'websocket', 'server', 'user_script', 'python_exec', 'debbie', 'debbie_comment'].map((s) =>
      h('option', { value: s }, s),
    ),
  ) as HTMLSelectElement;
  sourceSel.value = filters.source;
  sourceSel.addEventListener('change', () => {
    filters.source = sourceSel.value;
    changed();
  });
  const search = input('text', { type: 'search', id: 'search', placeholder: 'Search sessions and events… (/)', 'aria-label': 'Search' });

  const list = new VirtualList({
    rowHeight: ROW_H,
    className: 'sessions',
    paint: paintRow,
    onRange: (first, last) => {
      range = [first, last];
      ensure(first, last);
      updatePager();
    },
  });
  list.el.setAttribute('role', 'listbox');
  list.el.setAttribute('aria-label', 'Sessions');
  list.el.addEventListener('click', (ev) => {
    const row = (ev.target as HTMLElement).closest<HTMLElement>('.row');
    if (!row) return;
    const i = Number(row.dataset.index);
    if ((ev.target as HTMLElement).closest('.c-cmp')) {
      toggleMark(i);
      return;
    }
    const r = rowAt(i);
    if (r) location.hash = `#/session/${encodeURIComponent(r.session_id)}`;
  });

  clear(root);
  root.append(
    h(
      'div',
      { class: 'toolbar' },
      search,
      statusSel,
      sourceSel,
      input('agent', { type: 'text', placeholder: 'agent', 'aria-label': 'Agent', size: '10' }),
      input('model', { type: 'text', placeholder: 'model', 'aria-label': 'Model', size: '12' }),
      h('label', {}, 'from', input('since', { type: 'datetime-local', 'aria-label': 'From' })),
      h('label', {}, 'to', input('until', { type: 'datetime-local', 'aria-label': 'To' })),
      compareBtn,
      countsEl,
    ),
    h(
      'div',
      { class: 'head' },
      h('span', { class: 'c-cmp' }, '⇄'),
      h('span', { class: 'c-st' }, 'status'),
      h('span', { class: 'c-id' }, 'session'),
      h('span', { class: 'c-last' }, 'last activity'),
      h('span', { class: 'c-dur n' }, 'duration'),
      h('span', { class: 'c-ev n' }, 'events'),
      h('span', { class: 'c-err n' }, 'errors'),
      h('span', { class: 'c-ag' }, 'agents'),
      h('span', { class: 'c-mod' }, 'models'),
      h('span', { class: 'c-tok n' }, 'tokens in/out'),
      h('span', { class: 'c-com' }, 'latest comment'),
    ),
    list.el,
    pagerEl,
  );

  function rowAt(i: number): SessionRow | undefined {
    return pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  }

  function paintRow(el: HTMLElement, i: number): void {
    const r = rowAt(i);
    el.classList.toggle('sel', i === selected);
    el.setAttribute('role', 'option');
    el.setAttribute('aria-selected', String(i === selected));
    clear(el);
    if (!r) {
      el.append(h('span', { class: 'muted' }, 'loading…'));
      return;
    }
    const stall = r.status === 'stalled' && r.silent_ms !== null ? ` ${fmtMs(r.silent_ms)}` : '';
    el.dataset.session = r.session_id;
    el.append(
      h('span', { class: 'c-cmp' }, marked.includes(r.session_id) ? '☑' : '☐'),
      h('span', { class: 'c-st' }, h('span', { class: `badge st-${r.status}`, title: r.pending ? `${r.pending} span(s) in progress` : '' }, r.status + stall)),
      h('span', { class: 'c-id', title: r.session_id }, shortId(r.session_id)),
      h('span', { class: 'c-last' }, fmtTime(r.last_timestamp)),
      h('span', { class: 'c-dur n' }, fmtMs(r.duration_ms)),
      h('span', { class: 'c-ev n' }, fmtInt(r.event_count)),
      h('span', { class: `c-err n${r.error_count ? ' errn' : ''}` }, String(r.error_count)),
      h('span', { class: 'c-ag', title: r.agents.join(', ') }, r.agents.join(', ')),
      h('span', { class: 'c-mod', title: r.models.join(', ') }, r.models.join(', ')),
      h('span', { class: 'c-tok n' }, r.input_tokens || r.output_tokens ? `${fmtInt(r.input_tokens)}/${fmtInt(r.output_tokens)}` : ''),
      h(
        'span',
        { class: 'c-com', title: r.latest_comment?.summary ?? '' },
        r.latest_comment ? `${r.latest_comment.pattern ? `[${r.latest_comment.pattern}] ` : ''}${r.latest_comment.summary}` : '',
      ),
    );
  }

  function query(offset: number): string {
    const p = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
    if (filters.status) p.set('status', filters.status);
    if (filters.source) p.set('source', filters.source);
    if (filters.agent) p.set('agent', filters.agent);
    if (filters.model) p.set('model', filters.model);
    if (filters.text) p.set('text', filters.text);
    if (filters.since) p.set('since', new Date(filters.since).toISOString());
    if (filters.until) p.set('until', new Date(filters.until).toISOString());
    return `/console/api/sessions?${p}`;
  }

  async function load(page: number): Promise<void> {
    if (loading.has(page)) return;
    loading.add(page);
    const gen = generation;
    try {
      const res = await getJson<SessionPage>(query(page * PAGE));
      if (gen !== generation) return;
      pages.set(page, res.sessions);
      total = res.total;
      list.setCount(total);
      countsEl.textContent = STATUSES.map((s) => `${s} ${res.by_status[s]}`).join(' · ');
      truncated = res.search_truncated;
      indexing = res.indexing;
      updatePager();
      // models, tokens and comments of stored sessions are still being read: look again shortly
      if (res.indexing && !indexTimer)
        indexTimer = window.setTimeout(() => {
          indexTimer = 0;
          dirty = true;
          refreshView();
        }, 1_000);
      list.refresh();
      document.body.dataset.sessionsReady = String(Math.round(performance.now()));
    } catch (error) {
      pagerEl.textContent = `could not load sessions: ${(error as Error).message}`;
    } finally {
      loading.delete(page);
    }
  }

  let truncated = false;
  let indexing = false;
  let indexTimer = 0;
  function updatePager(): void {
    const shown = Math.min(total, Math.ceil((list.el.scrollTop + list.el.clientHeight) / ROW_H));
    const from = total ? Math.min(total, Math.floor(list.el.scrollTop / ROW_H) + 1) : 0;
    pagerEl.textContent = `${total} session(s)${truncated ? ' (search stopped at its scan limit: refine it)' : ''}${indexing ? ' · reading models, tokens and comments…' : ''} · rows ${from}–${shown} · j/k move, Enter open, c mark for compare, / search`;
  }

  function ensure(first: number, last: number): void {
    const a = Math.floor(first / PAGE);
    const b = Math.floor(Math.max(first, last - 1) / PAGE);
    for (let p = a; p <= b; p++) if (!pages.has(p)) void load(p);
  }

  let debounce = 0;
  function changed(): void {
    clearTimeout(debounce);
    debounce = window.setTimeout(() => {
      generation += 1;
      pages.clear();
      selected = 0;
      list.el.scrollTop = 0;
      const p = new URLSearchParams();
      if (filters.text) p.set('q', filters.text);
      for (const k of ['status', 'source', 'agent', 'model', 'since', 'until'] as const) if (filters[k]) p.set(k, filters[k]);
      history.replaceState(null, '', `#/${p.size ? `?${p}` : ''}`);
      void load(0);
    }, 200);
  }

  function toggleMark(i: number): void {
    const r = rowAt(i);
    if (!r) return;
    const k = marked.indexOf(r.session_id);
    if (k >= 0) marked.splice(k, 1);
    else {
      marked.push(r.session_id);
      if (marked.length > 2) marked.shift();
    }
    compareBtn.disabled = marked.length !== 2;
    list.refresh();
  }

  // live: the server says which sessions changed; the rows in view are fetched again (at most every 500 ms)
  let refreshTimer = 0;
  let dirty = false;
  const refreshView = () => {
    refreshTimer = 0;
    if (!dirty) return;
    dirty = false;
    const a = Math.floor(range[0] / PAGE);
    const b = Math.floor(Math.max(range[0], range[1] - 1) / PAGE);
    for (let p = a; p <= b; p++) void load(p);
  };
  const closeLive = info.live
    ? openLive('/console/api/live', {
        onMessage: (event) => {
          if (event !== 'touch') return;
          dirty = true;
          if (!refreshTimer) refreshTimer = window.setTimeout(refreshView, 500);
        },
        onState: setLive,
      })
    : () => {};
  // statuses that depend on silence (stalled) change without events: look again every few seconds
  const tick = window.setInterval(
    () => {
      dirty = true;
      if (!refreshTimer) refreshView();
    },
    info.live ? 3_000 : 60_000,
  );

  void load(0);
  search.focus();

  return {
    key(ev: KeyboardEvent): boolean {
      const inField = (ev.target as HTMLElement).matches('input,select,textarea');
      if (ev.key === '/' && !inField) {
        search.focus();
        search.select();
        return true;
      }
      if (inField && ev.key !== 'ArrowDown' && ev.key !== 'Enter' && ev.key !== 'Escape') return false;
      if (ev.key === 'Escape' && inField) {
        (ev.target as HTMLElement).blur();
        list.el.focus();
        return true;
      }
      if (ev.key === 'j' || ev.key === 'ArrowDown') {
        selected = Math.min(total - 1, selected + 1);
        if (inField) (ev.target as HTMLElement).blur();
        list.scrollToIndex(selected);
        list.refresh();
        return true;
      }
      if (ev.key === 'k' || ev.key === 'ArrowUp') {
        selected = Math.max(0, selected - 1);
        list.scrollToIndex(selected);
        list.refresh();
        return true;
      }
      if (ev.key === 'c') {
        toggleMark(selected);
        return true;
      }
      if (ev.key === 'Enter') {
        const r = rowAt(selected);
        if (r) location.hash = `#/session/${encodeURIComponent(r.session_id)}`;
        return true;
      }
      return false;
    },
    dispose() {
      closeLive();
      clearInterval(tick);
      clearTimeout(refreshTimer);
      clearTimeout(indexTimer);
    },
  };
}
