// A fixed-row-height virtual list: only the rows in view (plus a margin) exist in the DOM,
// so 100k rows scroll like 50. Rows are pooled elements, repainted by the caller's `paint`.

export interface VirtualListOptions {
  rowHeight: number;
  /** Fills `el` for row `index` (called for rows that come into view and on refresh()). */
  paint(el: HTMLElement, index: number): void;
  /** Rows in view changed (the sessions list fetches pages from it). */
  onRange?(first: number, last: number): void;
  className?: string;
}

const OVERSCAN = 8;

export class VirtualList {
  readonly el: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pool: HTMLElement[] = [];
  private readonly opts: VirtualListOptions;
  private count = 0;
  private frame = 0;
  private lastFirst = -1;
  private lastLast = -1;

  constructor(opts: VirtualListOptions) {
    this.opts = opts;
    this.el = document.createElement('div');
    this.el.className = `vlist ${opts.className ?? ''}`;
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    this.el.append(this.spacer);
    this.el.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.el);
  }

  get length(): number {
    return this.count;
  }

  setCount(n: number): void {
    this.count = n;
    this.spacer.style.height = `${n * this.opts.rowHeight}px`;
    this.schedule();
  }

  /** Repaints the rows in view on the next frame. */
  refresh(): void {
    this.lastFirst = -1;
    this.schedule();
  }

  /** Repaints now (used when the caller must know the DOM is current, e.g. the bench). */
  renderNow(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.lastFirst = -1;
    this.render();
  }

  scrollToIndex(i: number): void {
    const rh = this.opts.rowHeight;
    const top = i * rh;
    if (top < this.el.scrollTop) this.el.scrollTop = top;
    else if (top + rh > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = top + rh - this.el.clientHeight;
    this.schedule();
  }

  /** True when the list is scrolled to (near) the bottom: a live tail keeps following then. */
  atBottom(): boolean {
    return this.el.scrollTop + this.el.clientHeight >= this.el.scrollHeight - this.opts.rowHeight * 2;
  }

  scrollToBottom(): void {
    this.el.scrollTop = this.el.scrollHeight;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const rh = this.opts.rowHeight;
    const height = this.el.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.el.scrollTop / rh) - OVERSCAN);
    const last = Math.min(this.count, Math.ceil((this.el.scrollTop + height) / rh) + OVERSCAN);
    const same = first === this.lastFirst && last === this.lastLast;
    this.lastFirst = first;
    this.lastLast = last;
    const need = last - first;
    while (this.pool.length < need) {
      const row = document.createElement('div');
      row.className = 'row';
      row.style.height = `${rh}px`;
      this.pool.push(row);
      this.el.append(row);
    }
    for (let k = 0; k < this.pool.length; k++) {
      const row = this.pool[k]!;
      if (k >= need) {
        if (row.style.display !== 'none') {
          row.style.display = 'none';
          for (const key of Object.keys(row.dataset)) delete row.dataset[key];
        }
        continue;
      }
      const i = first + k;
      row.style.display = '';
      row.style.transform = `translateY(${i * rh}px)`;
      row.dataset.index = String(i);
      this.opts.paint(row, i);
    }
    if (!same) this.opts.onRange?.(first, last);
  }
}
