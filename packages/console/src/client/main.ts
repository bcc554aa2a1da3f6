// The console's entry: the hash router (#/, #/session/ID?event=E, #/compare/A/B), the token
// (from #token=… or the login page, kept for the tab only), keyboard, light/dark.
import { adoptTokenFromFragment, getJson, setToken, Unauthorized } from './api.js';
import { comparePage } from './comparePage.js';
import { clear, h } from './dom.js';
import { sessionPage } from './sessionPage.js';
import { sessionsPage } from './sessionsPage.js';
import type { ConsoleInfo } from './types.js';

export interface Page {
  /** Handles a key; true when it did. */
  key(ev: KeyboardEvent): boolean;
  dispose(): void;
}

const app = document.getElementById('app')!;
const conn = document.getElementById('conn')!;
let page: Page | undefined;
let info: ConsoleInfo | undefined;

function setLive(on: boolean): void {
  conn.className = on ? 'on' : 'off';
  conn.textContent = on ? 'live' : info?.live ? 'reconnecting…' : 'store (not live)';
}

function applyTheme(theme: string | null): void {
  const dark = theme ? theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

function toggleTheme(): void {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem('debbie.theme', next);
  applyTheme(next);
}

function login(message: string): void {
  page?.dispose();
  page = undefined;
  clear(app);
  const input = h('input', {
    type: 'password',
    id: 'token',
    autocomplete: 'current-password',
    'aria-label': 'Token',
    placeholder: 'token',
  }) as HTMLInputElement;
  const form = h(
    'form',
    { class: 'login' },
    h('h2', {}, 'Sign in'),
    h('p', { class: 'muted' }, message),
    h('p', { class: 'muted' }, 'Enter the token the collector runs with (--token or DEBBIE_TOKEN). It stays in this tab only.'),
    input,
    h('button', { type: 'submit' }, 'Open the console'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    setToken(input.value);
    void route();
  });
  app.append(form);
  input.focus();
}

async function route(): Promise<void> {
  page?.dispose();
  page = undefined;
  // readiness marks (tests, the bench) describe the current page only
  for (const key of Object.keys(document.body.dataset)) delete document.body.dataset[key];
  try {
    info ??= await getJson<ConsoleInfo>('/console/api/info');
  } catch (error) {
    if (error instanceof Unauthorized) return login('This console is exposed beyond this machine, so it needs the token.');
    clear(app);
    app.append(h('p', { class: 'error' }, `The console's API did not answer: ${(error as Error).message}`));
    return;
  }
  // pages that follow the live stream say so; the others show nothing here
  conn.className = '';
  conn.textContent = info.live ? '' : 'store (not live)';
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = (path ?? '/').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'session' && parts[1]) page = sessionPage(app, info, setLive, parts[1], params);
  else if (parts[0] === 'compare' && parts[1] && parts[2]) page = comparePage(app, parts[1], parts[2]);
  else page = sessionsPage(app, info, setLive, params);
}

adoptTokenFromFragment();
applyTheme(localStorage.getItem('debbie.theme'));
document.getElementById('theme')!.addEventListener('click', toggleTheme);
let lastPath = '';
window.addEventListener('hashchange', () => {
  // replaceState (selection, filters) does not fire hashchange; a new page does
  const path = location.hash.split('?')[0] ?? '';
  if (path === lastPath && path.startsWith('#/session/')) return;
  lastPath = path;
  void route();
});
document.addEventListener('keydown', (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (page?.key(ev)) {
    ev.preventDefault();
    return;
  }
  if (ev.key === 't' && !(ev.target as HTMLElement).matches('input,select,textarea')) toggleTheme();
});
window.addEventListener('unhandledrejection', (ev) => {
  if (ev.reason instanceof Unauthorized) login('The token was refused.');
});
lastPath = location.hash.split('?')[0] ?? '';
void route();
