import { DebbieError, type DebbieEvent } from '@debbie/model';

/** Where the stream's output goes. */
export interface JsonValueStreamOptions {
  /** Events of a batch of OTLP items, or of a whole non-OTLP value. */
  onEvents(events: DebbieEvent[], rejected: number): void;
  /** Decodes a whole JSON value that is not an OTLP request (DebbieEvents, agent runs). */
  decodeOther(value: unknown): { events: DebbieEvent[]; rejected: number };
  /** Shown in errors: the file (the stream adds the line). */
  file: string;
  /** Line number of the first byte pushed. Default 1. */
  firstLine?: number;
  /**
   * Cap on what is held at once: one non-OTLP value, one OTLP item, or the items held while their
   * resource is not known yet. Default 64 MiB.
   */
  maxBufferedBytes?: number;
  /** OTLP items decoded together. Default 512. */
  batchItems?: number;
}

// OTLP/JSON names, per signal: [resources key, scopes key, items key] in both spellings.
const SIGNALS: Record<string, { scopes: readonly string[]; items: readonly string[] }> = {
  resourceSpans: { scopes: ['scopeSpans', 'scope_spans'], items: ['spans'] },
  resource_spans: { scopes: ['scopeSpans', 'scope_spans'], items: ['spans'] },
  resourceLogs: { scopes: ['scopeLogs', 'scope_logs'], items: ['logRecords', 'log_records'] },
  resource_logs: { scopes: ['scopeLogs', 'scope_logs'], items: ['logRecords', 'log_records'] },
};

const enum C {
  QUOTE = 0x22,
  BACKSLASH = 0x5c,
  LBRACE = 0x7b,
  RBRACE = 0x7d,
  LBRACKET = 0x5b,
  RBRACKET = 0x5d,
  COLON = 0x3a,
  COMMA = 0x2c,
  NL = 0x0a,
  CR = 0x0d,
  SPACE = 0x20,
  TAB = 0x09,
}

/** Deepest nesting read (OTLP needs 7 plus its attribute values; JSON.parse itself gives up far deeper). */
const MAX_DEPTH = 1000;

/** What a captured value is. */
type Role = 'item' | 'resourceField' | 'scopeField' | 'other';

interface Capture {
  role: Role;
  /** Depth of the container the value sits in. */
  depth: number;
  key: string;
  parts: Buffer[];
  bytes: number;
  /** Index in the current chunk where the not-yet-saved part starts. */
  from: number;
  /** A string or a bare literal (number, true, false, null) rather than an object or array. */
  scalar: 'string' | 'literal' | null;
  /** Line where the value starts (for errors). */
  line: number;
}

interface ResourceGroup {
  fields: Record<string, unknown>;
  scopesKey: string;
  scopes: ScopeGroup[];
}

interface ScopeGroup {
  fields: Record<string, unknown>;
  itemsKey: string;
  items: unknown[];
}

/**
 * Reads JSON values from a byte stream without holding a whole value when it is an OTLP/JSON
 * request: each span or log record is parsed on its own and decoded in batches with its resource
 * and scope, so a 50 MB request line costs memory for one batch, not for the line. A value that is
 * not an OTLP request (a DebbieEvent, an array of them, an agent run) is held up to
 * `maxBufferedBytes` and decoded whole. Values may follow each other (JSON Lines, or one document
 * spread over many lines). Syntax errors and values over the cap throw a DebbieError naming the
 * file, the line and the limit.
 */
export class JsonValueStream {
  private readonly opts: JsonValueStreamOptions;
  private readonly maxBytes: number;
  private readonly batchItems: number;
  private stack: number[] = []; // LBRACE or LBRACKET per open container
  private keys: string[] = []; // current key per open object
  private expectKey = false;
  private inString = false;
  private escape = false;
  private keyBytes: number[] | null = null;
  private capture: Capture | null = null;
  private signal: string | null = null;
  private resource: ResourceGroup | null = null;
  private scope: ScopeGroup | null = null;
  private heldBytes = 0;
  private line: number;
  /** A value has started and not ended. */
  private open = false;
  /** Values completed so far. */
  values = 0;

  constructor(opts: JsonValueStreamOptions) {
    this.opts = opts;
    this.maxBytes = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.batchItems = opts.batchItems ?? 512;
    this.line = opts.firstLine ?? 1;
  }

  /** True while a value is incomplete. */
  get inValue(): boolean {
    return this.open;
  }

  push(chunk: Buffer): void {
    const n = chunk.length;
    if (this.capture) this.capture.from = 0;
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
        } else if (c === C.BACKSLASH) {
          this.escape = true;
        } else if (c === C.QUOTE) {
          this.inString = false;
          if (this.keyBytes) {
            this.keys[this.keys.length - 1] = Buffer.from(this.keyBytes).toString('utf8');
            this.keyBytes = null;
            if (this.stack.length === 1) this.maybeStream();
          } else if (this.capture?.scalar === 'string' && this.stack.length === this.capture.depth) {
            this.endCapture(chunk, i + 1);
          }
        } else if (this.keyBytes) {
          if (this.keyBytes.length < 256) this.keyBytes.push(c);
        }
        if (c === C.NL) this.line += 1;
        continue;
      }
      switch (c) {
        case C.SPACE:
        case C.TAB:
        case C.CR:
          this.endLiteral(chunk, i);
          break;
        case C.NL:
          this.endLiteral(chunk, i);
          this.line += 1;
          break;
        case C.QUOTE:
          this.inString = true;
          if (this.expectKey && this.top() === C.LBRACE) {
            // Keys matter only down to the items' level.
            this.keyBytes = this.stack.length <= 5 ? [] : null;
          } else {
            this.valueStart(chunk, i, 'string');
          }
          break;
        case C.LBRACE:
        case C.LBRACKET:
          this.valueStart(chunk, i, null);
          // Bounded: a line of brackets must not grow the stack with the input.
          if (this.stack.length >= MAX_DEPTH) throw this.error(`JSON nested deeper than the limit of ${MAX_DEPTH} levels`);
          this.stack.push(c);
          this.keys.push('');
          this.expectKey = c === C.LBRACE;
          break;
        case C.RBRACE:
        case C.RBRACKET: {
          this.endLiteral(chunk, i);
          const open = this.stack.pop();
          this.keys.pop();
          if (open === undefined || (open === C.LBRACE) !== (c === C.RBRACE)) throw this.error(`unexpected "${String.fromCharCode(c)}"`);
          if (this.capture && this.capture.scalar === null && this.stack.length === this.capture.depth) this.endCapture(chunk, i + 1);
          this.containerClosed();
          this.expectKey = false;
          break;
        }
        case C.COLON:
          if (this.top() !== C.LBRACE || !this.expectKey) throw this.error('unexpected ":"');
          this.expectKey = false;
          break;
        case C.COMMA:
          this.endLiteral(chunk, i);
          if (this.stack.length === 0) throw this.error('unexpected ","');
          this.expectKey = this.top() === C.LBRACE;
          break;
        default:
          // A byte order mark between values is whitespace.
          if (this.stack.length === 0 && !this.capture && (c === 0xef || c === 0xbb || c === 0xbf)) break;
          // A bare literal (number, true, false, null) starts or continues.
          if (this.capture?.scalar !== 'literal') this.valueStart(chunk, i, 'literal');
      }
    }
    if (this.capture) this.saveCapturePart(chunk, this.capture.from, n);
  }

  /** The input ended: an incomplete value is an error. */
  end(): void {
    if (this.capture?.scalar === 'literal' && this.stack.length === 0) this.endCapture(Buffer.alloc(0), 0);
    if (this.open || this.inString) throw this.error('the JSON value is incomplete at the end of the input');
  }

  private top(): number | undefined {
    return this.stack[this.stack.length - 1];
  }

  private error(message: string, line = this.line): DebbieError {
    return new DebbieError('unparseable_line', message, `${this.opts.file} line ${line}`);
  }

  /** A value starts at chunk[i], inside the container at the current depth. */
  private valueStart(chunk: Buffer, i: number, scalar: Capture['scalar']): void {
    if (this.capture) return; // inside a captured value
    const depth = this.stack.length;
    if (depth === 0) {
      this.open = true;
      this.signal = null;
      // Held until its first key tells whether it is an OTLP request.
      this.beginCapture(chunk, i, 'other', 0, '', scalar);
      return;
    }
    const key = this.keys[depth - 1] ?? '';
    if (!this.signal) return;
    const names = SIGNALS[this.signal]!;
    switch (depth) {
      case 1: // another member of the request: not part of any item
        return;
      case 2:
        if (scalar !== null || chunk[i] !== C.LBRACE) throw this.error(`${this.signal}[] must hold objects`);
        this.resource = { fields: {}, scopesKey: names.scopes[0]!, scopes: [] };
        return;
      case 3:
        if (names.scopes.includes(key)) {
          this.resource!.scopesKey = key;
          return;
        }
        this.beginCapture(chunk, i, 'resourceField', depth, key, scalar);
        return;
      case 4:
        if (scalar !== null || chunk[i] !== C.LBRACE) throw this.error(`${this.resource!.scopesKey}[] must hold objects`);
        this.scope = { fields: {}, itemsKey: names.items[0]!, items: [] };
        this.resource!.scopes.push(this.scope);
        return;
      case 5:
        if (names.items.includes(key)) {
          this.scope!.itemsKey = key;
          return;
        }
        this.beginCapture(chunk, i, 'scopeField', depth, key, scalar);
        return;
      case 6:
        this.beginCapture(chunk, i, 'item', depth, key, scalar);
        return;
      default:
    }
  }

  private beginCapture(_chunk: Buffer, i: number, role: Role, depth: number, key: string, scalar: Capture['scalar']): void {
    this.capture = { role, depth, key, parts: [], bytes: 0, from: i, scalar, line: this.line };
  }

  private saveCapturePart(chunk: Buffer, from: number, to: number): void {
    const cap = this.capture!;
    if (to <= from) return;
    cap.parts.push(Buffer.from(chunk.subarray(from, to))); // copy: the caller reuses its buffer
    cap.bytes += to - from;
    if (cap.bytes > this.maxBytes) {
      const what = cap.role === 'item' ? 'one OTLP item' : cap.role === 'other' ? 'a JSON value that is not an OTLP request' : `the OTLP field "${cap.key}"`;
      this.capture = null;
      throw this.error(`${what} is larger than the limit of ${this.maxBytes} bytes`, cap.line);
    }
    cap.from = to;
  }

  private endLiteral(chunk: Buffer, i: number): void {
    if (this.capture?.scalar === 'literal' && this.stack.length === this.capture.depth) this.endCapture(chunk, i);
  }

  /** The captured value ends before chunk[end]. */
  private endCapture(chunk: Buffer, end: number): void {
    const cap = this.capture!;
    this.saveCapturePart(chunk, cap.from, end);
    this.capture = null;
    const text = cap.parts.length === 1 ? cap.parts[0]!.toString('utf8') : Buffer.concat(cap.parts, cap.bytes).toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.error(`is not JSON (${(error as Error).message})`, cap.line);
    }
    switch (cap.role) {
      case 'other':
        this.finishValue(value);
        return;
      case 'resourceField':
        this.resource!.fields[cap.key] = value;
        return;
      case 'scopeField':
        this.scope!.fields[cap.key] = value;
        return;
      case 'item':
        this.scope!.items.push(value);
        this.heldBytes += cap.bytes;
        if (this.heldBytes > this.maxBytes) throw this.error(`OTLP items held while their resource is unknown exceed the limit of ${this.maxBytes} bytes`);
        // The resource usually comes first; if not, items wait for their group to close.
        if (this.scope!.items.length >= this.batchItems && 'resource' in this.resource!.fields) this.flushScope();
    }
  }

  /** A container closed: a group may be complete, or the value may have ended. */
  private containerClosed(): void {
    const depth = this.stack.length;
    if (depth === 0) {
      // A root object whose first key named an OTLP signal was never captured.
      if (this.signal) {
        this.open = false;
        this.values += 1;
        this.signal = null;
      }
      return;
    }
    if (this.signal && depth === 2 && this.resource) this.flushResource();
  }

  /** A key of a held root object is complete: a key naming an OTLP signal makes it streamed instead. */
  private maybeStream(): void {
    const cap = this.capture;
    if (cap?.role !== 'other' || this.stack.length !== 1 || this.top() !== C.LBRACE) return;
    const key = this.keys[0]!;
    if (SIGNALS[key]) {
      this.signal = key;
      this.capture = null; // streamed from here: nothing held
    }
  }

  private flushScope(): void {
    const scope = this.scope!;
    if (scope.items.length === 0) return;
    const resource = this.resource!;
    const request = { [this.signal!]: [{ ...resource.fields, [resource.scopesKey]: [{ ...scope.fields, [scope.itemsKey]: scope.items }] }] };
    scope.items = [];
    this.heldBytes = 0;
    const { events, rejected } = this.opts.decodeOther(request);
    this.opts.onEvents(events, rejected);
  }

  private flushResource(): void {
    for (const scope of this.resource!.scopes) {
      this.scope = scope;
      this.flushScope();
    }
    this.resource = null;
    this.scope = null;
    this.heldBytes = 0;
  }

  private finishValue(value: unknown): void {
    this.open = false;
    this.values += 1;
    const { events, rejected } = this.opts.decodeOther(value);
    this.opts.onEvents(events, rejected);
  }
}
