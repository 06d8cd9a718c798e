// The live stream (GET /api/v1/stream, a WebSocket of JSON messages), kept
// open: after a close it reconnects with exponential backoff and jitter,
// and tells the caller so it can reload what it may have missed.

import type { StreamMessage } from './state';

export type StreamStatus = { state: 'connecting' } | { state: 'live' } | { state: 'waiting'; retryAtMs: number };

export interface StreamOptions {
  token: string;
  onMessage: (message: StreamMessage) => void;
  // Every time the socket opens; `reconnected` is false the first time.
  onOpen: (reconnected: boolean) => void;
  onStatus: (status: StreamStatus) => void;
  // Close codes after which retrying cannot help (e.g. the token was refused).
  onFatal?: (code: number, reason: string) => void;
}

// Backoff after the n-th failed attempt in a row (n >= 1): 1 s doubling to
// 30 s, each within ±20% so that many consoles do not return together.
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class LiveStream {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private opened = false;
  private timer: number | undefined;
  private stopped = false;
  private openedAt = 0;

  constructor(private readonly options: StreamOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.socket?.close(1000, 'signed out');
    this.socket = null;
  }

  private connect(): void {
    if (this.stopped) return;
    this.options.onStatus({ state: 'connecting' });
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // Browsers cannot set headers on a WebSocket, so the token goes in the query.
    const url = `${scheme}//${location.host}/api/v1/stream?access_token=${encodeURIComponent(this.options.token)}`;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.openedAt = Date.now();
      this.options.onStatus({ state: 'live' });
      this.options.onOpen(this.opened);
      this.opened = true;
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;  // not JSON: nothing the console can use
      }
      if (message && typeof message === 'object' && 'type' in message) this.options.onMessage(message as StreamMessage);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      // 1008 (policy violation) is how a refused token is answered: retrying will not help.
      if (event.code === 1008 && this.options.onFatal) {
        this.options.onFatal(event.code, event.reason);
        return;
      }
      // A connection that stayed up a while starts the backoff afresh.
      if (this.openedAt && Date.now() - this.openedAt > 10_000) this.attempt = 0;
      this.openedAt = 0;
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    ++this.attempt;
    const delay = backoffMs(this.attempt);
    this.options.onStatus({ state: 'waiting', retryAtMs: Date.now() + delay });
    this.timer = window.setTimeout(() => this.connect(), delay);
  }
}
