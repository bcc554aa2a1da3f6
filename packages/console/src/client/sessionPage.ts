// The session page: the trace waterfall (collapsible span tree with durations), Debbie's comments
// pinned to their steps, a details pane, the timeline and report, and a live tail.
import { getJson, getLines, getText, openLive } from './api.js';
import { clear, h } from './dom.js';
import { fmtMs, fmtTime, SOURCE_COLORS } from './format.js';
import type { Page } from './main.js';
import { SessionModel } from './SessionModel.js';
import type { ConsoleInfo, DebbieEvent, SessionLine } from './types.js';
import { VirtualList } from './VirtualList.js';

const ROW_H = 22;
type Tab = 'waterfall' | 'timeline' | 'report' | 'tail';

export function sessionPage(root: HTMLElement, info: ConsoleInfo, setLive: (on: boolean) => void, sessionId: string, params: URLSearchParams): Page {
  let model: SessionModel | undefined;
  let loading = true;
  let totalStored = 0;
  let visible: number[] = [];
  let posOf = new Int32Array(0);
  const collapsed = new Set<number>();
  let selected = -1;
  let tab: Tab = (params.get('tab') as Tab | null) ?? 'waterfall';
  let lastArrival = Date.now();
  let serverStatus: string | null = null;
  let disposed = false;

  const title = h('h1', {}, sessionId);
  const meta = h('span', { class: 'muted', id: 'smeta' }, 'loading…');
  const liveNote = h('span', { id: 'livenote' });
  const tabButtons = new Map<Tab, HTMLButtonElement>();
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist' },
    ...(['waterfall', 'timeline', 'report', 'tail'] as Tab[]).map((t, k) => {
      const b = h('button', { type: 'button', role: 'tab', 'data-tab': t, title: `${t} (${k + 1})` }, t === 'tail' ? 'live tail' : t) as HTMLButtonElement;
      b.addEventListener('click', () => show(t));
      tabButtons.set(t, b);
      return b;
    }),
  );
  const compareLink = h(
    'a',
    { href: `#/?mark=${encodeURIComponent(sessionId)}`, id: 'compare-with', title: 'Pick a second session to compare with' },
    'compare with…',
  );
  const commentsEl = h('div', { class: 'comments', id: 'comments', 'aria-label': "Debbie's comments" });
  const detailsEl = h(
    'aside',
    { class: 'details', id: 'details', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Select a step (click, or j/k) to see its details.'),
  );
  const wf = new VirtualList({ rowHeight: ROW_H, className: 'wf', paint: paintStep });
  wf.el.id = 'waterfall';
  wf.el.tabIndex = 0;
  const tail = new VirtualList({ rowHeight: 20, className: 'tail', paint: paintTail });
  tail.el.id = 'tail';
  const frame = h('iframe', { class: 'embed', title: 'embedded page' }) as HTMLIFrameElement;
  const left = h('div', { class: 'left' });
  const split = h('div', { class: 'split' }, left, detailsEl);

  clear(root);
  root.append(
    h('div', { class: 'shead' }, h('a', { href: '#/', title: 'Back to sessions (Esc)' }, '← sessions'), title, tabs, meta, liveNote, compareLink),
    commentsEl,
    split,
  );

  wf.el.addEventListener('click', (ev) => {
    const row = (ev.target as HTMLElement).closest<HTMLElement>('.row');
    if (!row) return;
    const i = visible[Number(row.dataset.index)]!;
    if ((ev.target as HTMLElement).closest('.tog')) toggle(i);
    else select(i);
  });
  tail.el.addEventListener('click', (ev) => {
    const row = (ev.target as HTMLElement).closest<HTMLElement>('.row');
    if (!row) return;
    select(Number(row.dataset.index));
  });

  function rebuild(): void {
    if (!model) return;
    const out: number[] = [];
    const stack: number[] = [];
    const roots = model.roots();
    for (let k = roots.length - 1; k >= 0; k--) stack.push(roots[k]!);
    while (stack.length) {
      const i = stack.pop()!;
      out.push(i);
      if (collapsed.has(i)) continue;
      const ch = model.children[i]!;
      for (let k = ch.length - 1; k >= 0; k--) stack.push(ch[k]!);
    }
    visible = out;
    posOf = new Int32Array(model.length).fill(-1);
    for (let k = 0; k < out.length; k++) posOf[out[k]!] = k;
    wf.setCount(out.length);
    wf.refresh();
  }

  function scaleEnd(now: number): number {
    if (!model) return 1;
    let end = model.maxEnd;
    for (const r of model.pendingSince.keys()) end = Math.max(end, model.start[r]! + model.runningMs(r, now));
    return end || 1;
  }

  function paintStep(el: HTMLElement, k: number): void {
    const m = model!;
    const i = visible[k]!;
    const now = Date.now();
    const end = scaleEnd(now);
    const pending = m.isPending(i);
    el.className = `row${i === selected ? ' sel' : ''}${m.err[i] ? ' err' : ''}${m.source[i] === 'debbie_comment' || m.source[i] === 'debbie' ? ' comment' : ''}${m.loopRows.has(i) ? ' loop' : ''}${pending ? ' pending' : ''}`;
    el.dataset.row = String(i);
    el.dataset.eventId = m.id[i]!;
    clear(el);
    const hasKids = m.children[i]!.length > 0;
    const name = h(
      'span',
      { class: 'name', style: `padding-left:${4 + Math.min(m.depth[i]!, 40) * 12}px` },
      h('span', { class: 'tog', title: hasKids ? 'collapse/expand (←/→)' : '' }, hasKids ? (collapsed.has(i) ? '▸' : '▾') : ''),
      h('span', { class: 'src', style: `background:${SOURCE_COLORS[m.source[i]!] ?? '#888'}`, title: m.source[i]! }),
      h('span', { class: 'lbl', title: m.label[i]! }, m.label[i]!),
    );
    const lane = h('span', { class: 'lane' });
    const left = (m.start[i]! / end) * 100;
    const d = m.dur[i]!;
    if (pending) {
      const run = m.runningMs(i, now);
      lane.append(
        h('span', { class: 'bar', style: `left:${left}%;width:${Math.max(0.2, (run / end) * 100)}%` }),
        h('span', { class: 'dur inprog', style: `left:${Math.min(left + 0.5, 85)}%` }, `running ${fmtMs(run)}`),
      );
    } else if (d >= 0) {
      const w = (d / end) * 100;
      lane.append(
        h('span', { class: 'bar', style: `left:${left}%;width:${w}%` }),
        h('span', { class: 'dur', style: `left:${Math.min(left + w + 0.3, 92)}%` }, fmtMs(d)),
      );
    } else {
      lane.append(h('span', { class: 'pt', style: `left:${left}%` }));
    }
    el.append(name, lane);
  }

  function paintTail(el: HTMLElement, i: number): void {
    const m = model!;
    el.className = `row${i === selected ? ' sel' : ''}${m.err[i] ? ' err' : ''}`;
    el.dataset.row = String(i);
    clear(el);
    const ts = new Date(Math.floor(m.startUs(i) / 1000)).toISOString().slice(11, 23);
    el.append(
      h('span', { class: 'muted' }, ts),
      h('span', { style: `color:${SOURCE_COLORS[m.source[i]!] ?? 'inherit'}` }, m.source[i]!),
      m.isPending(i)
        ? h('span', { class: 'inprog' }, `in progress ${fmtMs(m.runningMs(i))}`)
        : h('span', { class: 'muted' }, m.dur[i]! >= 0 ? fmtMs(m.dur[i]!) : ''),
      h('span', { class: m.source[i] === 'debbie_comment' ? 'cpat' : '' }, m.label[i]!),
    );
  }

  function toggle(i: number, to?: boolean): void {
    if (!model || model.children[i]!.length === 0) return;
    const collapse = to ?? !collapsed.has(i);
    if (collapse) collapsed.add(i);
    else collapsed.delete(i);
    rebuild();
  }

  function select(i: number, scroll = true): void {
    if (!model) return;
    selected = i;
    // make it visible: expand its ancestors
    let p = model.parent[i]!;
    let expanded = false;
    while (p >= 0) {
      if (collapsed.delete(p)) expanded = true;
      p = model.parent[p]!;
    }
    if (expanded) rebuild();
    if (scroll && posOf[i]! >= 0) wf.scrollToIndex(posOf[i]!);
    wf.refresh();
    tail.refresh();
    const eventId = model.id[i]!;
    history.replaceState(
      null,
      '',
      `#/session/${encodeURIComponent(sessionId)}?event=${encodeURIComponent(eventId)}${tab !== 'waterfall' ? `&tab=${tab}` : ''}`,
    );
    void showDetails(i);
  }

  async function showDetails(i: number): Promise<void> {
    const m = model!;
    let e = m.full.get(i);
    if (!e) {
      clear(detailsEl);
      detailsEl.append(h('p', { class: 'muted' }, 'loading…'));
      try {
        e = await getJson<DebbieEvent>(`/console/api/sessions/${encodeURIComponent(sessionId)}/events/${encodeURIComponent(m.id[i]!)}?us=${m.startUs(i)}`);
      } catch (error) {
        clear(detailsEl);
        detailsEl.append(h('p', { class: 'error' }, `could not load the event: ${(error as Error).message}`));
        return;
      }
    }
    if (selected !== i) return;
    renderDetails(e, m.isPending(i) ? m.runningMs(i) : null);
  }

  function renderDetails(e: DebbieEvent, runningMs: number | null): void {
    clear(detailsEl);
    const pre = (label: string, v: unknown): HTMLElement | null =>
      v === null || v === undefined || (typeof v === 'object' && Object.keys(v as object).length === 0)
        ? null
        : h('div', {}, h('h4', {}, label), h('pre', {}, typeof v === 'string' ? v : JSON.stringify(v, null, 2)));
    const d = e.details;
    const pick = (keys: string[]) => {
      const o: Record<string, unknown> = {};
      for (const k of keys) if (d[k] !== undefined) o[k] = d[k];
      return Object.keys(o).length ? o : null;
    };
    const parts: (HTMLElement | null)[] = [
      h('h3', {}, e.event_summary || `${e.source} ${e.action}`),
      h(
        'dl',
        {},
        h('dt', {}, 'time'),
        h('dd', {}, fmtTime(e.timestamp)),
        h('dt', {}, 'duration'),
        h(
          'dd',
          { class: runningMs !== null ? 'inprog' : '' },
          runningMs !== null ? `in progress, running ${fmtMs(runningMs)}` : e.duration_ms === null ? 'point event' : fmtMs(e.duration_ms),
        ),
        h('dt', {}, 'source'),
        h('dd', {}, `${e.source} · ${e.component} · ${e.action}`),
        h('dt', {}, 'level'),
        h('dd', { class: /ERROR|CRITICAL/.test(e.level) ? 'errn' : '' }, e.level),
        h('dt', {}, 'agent'),
        h('dd', {}, e.agent_id ?? '–'),
        h('dt', {}, 'event'),
        h('dd', {}, e.event_id),
        h('dt', {}, 'span'),
        h('dd', {}, `${e.span_id ?? '–'} (parent ${e.parent_span_id ?? e.parent_id ?? '–'})`),
        h('dt', {}, 'trace'),
        h('dd', {}, e.trace_id ?? '–'),
        h('dt', {}, 'correlation'),
        h('dd', {}, e.correlation_id ?? '–'),
      ),
      pre('prompt / completion', pick(['prompt', 'messages', 'completion', 'content', 'response', 'finish_reason', 'tool_calls'])),
      pre('tool arguments / result', pick(['tool_name', 'arguments', 'args', 'result', 'output', 'error'])),
      pre('stack trace', e.stack_trace),
      pre('state before', e.state_before),
      pre('state after', e.state_after),
      pre('metrics', e.performance_metrics),
      pre('details', d),
      pre('context', e.context_snapshot),
      e.tags.length ? h('p', { class: 'muted' }, `tags: ${e.tags.join(', ')}`) : null,
    ];
    for (const p of parts) if (p) detailsEl.append(p);
  }

  function renderComments(): void {
    if (!model) return;
    clear(commentsEl);
    const rows = [...model.commentRows].sort((a, b) => model!.start[a]! - model!.start[b]!);
    commentsEl.hidden = rows.length === 0;
    for (const r of rows.slice(-200)) {
      const e = model.full.get(r);
      const named = e && typeof e.details.pattern === 'string' ? e.details.pattern : 'comment';
      const pattern = model.source[r] === 'debbie' ? `intervention (${named})` : named;
      const status = e && typeof e.details.status === 'string' ? ` (${e.details.status})` : '';
      const item = h('div', { 'data-row': r, title: 'Show the step it is about' }, h('span', { class: 'cpat' }, `${pattern}${status}`), model.label[r]!);
      item.addEventListener('click', () => {
        show('waterfall');
        select(r);
      });
      commentsEl.append(item);
    }
  }

  function renderMeta(): void {
    if (!model) return;
    const pendingN = model.pendingSince.size;
    const more = loading ? ' (loading…)' : totalStored > model.length ? ` (${totalStored - model.length} more not loaded: over the page's limit)` : '';
    meta.textContent = `${model.length} events${more} · ${fmtMs(model.maxEnd)} · ${model.commentRows.size} comment(s)`;
    const silent = Date.now() - lastArrival;
    clear(liveNote);
    if (pendingN) liveNote.append(h('span', { class: 'inprog', id: 'inprogress' }, `${pendingN} span(s) in progress`), ' ');
    const isLive = serverStatus !== null && serverStatus !== 'finished';
    if (isLive && silent >= info.stall_ms) liveNote.append(h('span', { class: 'stallnote', id: 'stalled' }, `stalled: silent for ${fmtMs(silent)}`));
    else if (serverStatus) liveNote.append(h('span', { class: `badge st-${serverStatus}`, id: 'status' }, serverStatus));
  }

  function show(t: Tab): void {
    tab = t;
    for (const [k, b] of tabButtons) {
      b.classList.toggle('on', k === t);
      b.setAttribute('aria-selected', String(k === t));
    }
    clear(left);
    if (t === 'waterfall') {
      left.append(wf.el);
      wf.refresh();
      wf.el.focus();
    } else if (t === 'tail') {
      left.append(tail.el);
      tail.setCount(model?.length ?? 0);
      tail.scrollToBottom();
      tail.el.focus();
    } else {
      left.append(frame);
      frame.srcdoc = '<p style="font:13px system-ui;color:#667">loading…</p>';
      void getText(`/console/api/sessions/${encodeURIComponent(sessionId)}/${t}`).then(
        (html) => {
          if (tab === t) frame.srcdoc = html;
        },
        (error: Error) => {
          frame.srcdoc = `<p style="font:13px system-ui;color:#d9485f">could not load the ${t}: ${error.message.replace(/[<&]/g, '')}</p>`;
        },
      );
    }
  }

  // live: events of this session within 100 ms of the collector seeing them
  let pendingRedraw = 0;
  const redraw = () => {
    pendingRedraw = 0;
    if (!model || disposed) return;
    const follow = tail.atBottom();
    rebuild();
    tail.setCount(model.length);
    if (follow && tab === 'tail') tail.scrollToBottom();
    tail.refresh();
    renderComments();
    renderMeta();
    document.body.dataset.liveSeen = String(model.liveAdded);
  };
  const queued: DebbieEvent[] = [];
  const closeLive = info.live
    ? openLive(`/console/api/live?session=${encodeURIComponent(sessionId)}`, {
        onMessage(event, data) {
          if (event !== 'events') return;
          const events = JSON.parse(data) as DebbieEvent[];
          if (!model) {
            queued.push(...events);
            return;
          }
          apply(events);
        },
        onState: setLive,
      })
    : () => {};

  function apply(events: DebbieEvent[]): void {
    const now = Date.now();
    for (const e of events) {
      model!.add(e, now);
      if (!e.source.startsWith('debbie')) lastArrival = now;
      if (serverStatus === null || serverStatus === 'finished') serverStatus = 'running';
      if (e.source === 'session' && e.action === 'session_stopped') serverStatus = 'finished';
    }
    (window as unknown as { debbieLastLive?: number }).debbieLastLive = performance.now();
    if (!pendingRedraw) pendingRedraw = requestAnimationFrame(redraw);
  }

  // running times and the stall note move with the clock
  const tick = window.setInterval(() => {
    if (!model) return;
    renderMeta();
    if (model.pendingSince.size) {
      wf.refresh();
      tail.refresh();
    }
  }, 500);

  // the stored steps stream in: the first chunk is drawn at once, the rest fill in as they arrive
  void (async () => {
    const m = new SessionModel();
    let pending: DebbieEvent[] = [];
    let first = true;
    try {
      await getLines(`/console/api/sessions/${encodeURIComponent(sessionId)}`, (value) => {
        if (disposed) return;
        const line = value as SessionLine;
        if ('head' in line) {
          serverStatus = line.head.status;
          pending = line.head.pending;
        } else if ('rows' in line) {
          m.addRows(line.rows);
          if (first) {
            first = false;
            model = m;
            if (queued.length) apply(queued.splice(0));
            firstDraw();
          } else if (!pendingRedraw) pendingRedraw = requestAnimationFrame(redraw);
        } else if ('comments' in line) {
          for (const c of line.comments) {
            const r = m.rowOf(c.event_id);
            if (r !== undefined) m.noteComment(c, r);
          }
        } else if ('done' in line) {
          totalStored = line.done.total;
        }
      });
      if (disposed) return;
      loading = false;
      for (const p of pending) m.add(p);
      if (first) {
        model = m;
        if (queued.length) apply(queued.splice(0));
        firstDraw();
      }
      redraw();
      const want = params.get('event');
      const r = want && selected < 0 ? m.rowOf(want) : undefined;
      if (r !== undefined) select(r);
      document.body.dataset.sessionLoaded = String(m.length);
      document.body.dataset.sessionLoadedMs = String(Math.round(performance.now()));
    } catch (error) {
      meta.textContent = `could not load the session: ${(error as Error).message}`;
    }
  })();

  function firstDraw(): void {
    const m = model!;
    rebuild();
    renderComments();
    renderMeta();
    show(tab);
    const want = params.get('event');
    const r = want ? m.rowOf(want) : undefined;
    if (r !== undefined) select(r);
    wf.renderNow();
    document.body.dataset.sessionReady = String(m.length);
    document.body.dataset.sessionReadyMs = String(Math.round(performance.now()));
  }

  return {
    key(ev: KeyboardEvent): boolean {
      if ((ev.target as HTMLElement).matches('input,select,textarea')) return false;
      const k = ['1', '2', '3', '4'].indexOf(ev.key);
      if (k >= 0) {
        show((['waterfall', 'timeline', 'report', 'tail'] as Tab[])[k]!);
        return true;
      }
      if (ev.key === 'Escape') {
        location.hash = '#/';
        return true;
      }
      if (!model || tab !== 'waterfall') return false;
      const pos = selected >= 0 ? posOf[selected]! : -1;
      if (ev.key === 'j' || ev.key === 'ArrowDown') {
        const n = visible[Math.min(visible.length - 1, pos + 1)];
        if (n !== undefined) select(n);
        return true;
      }
      if (ev.key === 'k' || ev.key === 'ArrowUp') {
        const n = visible[Math.max(0, pos - 1)];
        if (n !== undefined) select(n);
        return true;
      }
      if (selected < 0) return false;
      if (ev.key === 'ArrowRight' || ev.key === 'l' || ev.key === 'Enter') {
        toggle(selected, false);
        return true;
      }
      if (ev.key === 'ArrowLeft' || ev.key === 'h') {
        if (model.children[selected]!.length && !collapsed.has(selected)) toggle(selected, true);
        else if (model.parent[selected]! >= 0) select(model.parent[selected]!);
        return true;
      }
      return false;
    },
    dispose() {
      disposed = true;
      closeLive();
      clearInterval(tick);
      if (pendingRedraw) cancelAnimationFrame(pendingRedraw);
    },
  };
}
