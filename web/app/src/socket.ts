// A WebSocket that stays up: it reconnects after a drop with a growing, jittered delay, pings
// so that carrier proxies keep it open, and comes back at once when the phone is online again.
// The URL is asked for at every attempt, so each connection carries a fresh access token (and
// the caller can refuse: null means "stop trying").

/** Mobile NATs and carrier proxies drop a silent connection within a minute or two. */
export const PING_MS = 25_000;
export const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000, 30_000];

export type SocketState = "idle" | "connecting" | "open" | "waiting" | "stopped";

/** What this module needs of a WebSocket (the browser's, or a fake in the tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface LiveSocketOptions {
  /** The URL to open now (with a fresh token), or null to stop: signed out, refused. */
  url: () => Promise<string | null>;
  onFrame: (frame: Record<string, unknown>) => void;
  /** Each time a connection opens (the first and every reconnection). */
  onOpen?: () => void;
  onState?: (state: SocketState) => void;
  open?: (url: string) => SocketLike;
  timers?: Timers;
  random?: () => number;
  /** Where "online" is announced (the window); the socket then retries without waiting. */
  network?: Pick<EventTarget, "addEventListener" | "removeEventListener">;
}

const OPEN = 1;
const CONNECTING = 0;

/** The delay before attempt `attempt` (0-based): the backoff, ±20 % so that two phones
 * behind one mast do not come back in step. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
  return Math.round(base * (0.8 + random() * 0.4));
}

export class LiveSocket {
  state: SocketState = "idle";
  /** Failed attempts since the last open connection. */
  attempts = 0;
  private socket: SocketLike | null = null;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private readonly open: (url: string) => SocketLike;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly onOnline = () => {
    if (this.state === "waiting") this.retry(0);
  };

  constructor(private readonly options: LiveSocketOptions) {
    this.open = options.open ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.timers = options.timers ?? globalThis;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (this.state !== "idle" && this.state !== "stopped") return;
    this.attempts = 0;
    this.options.network?.addEventListener("online", this.onOnline);
    void this.connect();
  }

  /** Closed on purpose: no reconnection. */
  stop(reason = "closed"): void {
    this.setState("stopped");
    this.options.network?.removeEventListener("online", this.onOnline);
    this.timers.clearTimeout(this.retryTimer);
    this.stopPing();
    const socket = this.socket;
    this.socket = null;
    if (socket && (socket.readyState === OPEN || socket.readyState === CONNECTING)) {
      socket.close(1000, reason);
    }
  }

  /** A new connection now, the current one closed (a call that changes its media). */
  reconnectNow(): void {
    const old = this.socket;
    this.socket = null;
    this.stopPing();
    this.timers.clearTimeout(this.retryTimer);
    old?.close(1000, "reconnecting");
    this.attempts = 0;
    void this.connect();
  }

  /** Sent when the connection is open; false otherwise (nothing is queued). */
  send(frame: Record<string, unknown>): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private async connect(): Promise<void> {
    this.setState("connecting");
    let url: string | null;
    try {
      url = await this.options.url();
    } catch {
      if (this.state === "connecting") this.waitAndRetry();
      return;
    }
    if (this.state !== "connecting") return;
    if (url === null) {
      this.stop("refused");
      return;
    }
    const socket = this.open(url);
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.attempts = 0;
      this.setState("open");
      this.startPing();
      this.options.onOpen?.();
    };
    socket.onmessage = (message) => {
      if (socket !== this.socket || typeof message.data !== "string") return;
      let frame: unknown;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame && typeof frame === "object") this.options.onFrame(frame as Record<string, unknown>);
    };
    socket.onclose = () => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.stopPing();
      if (this.state !== "stopped") this.waitAndRetry();
    };
  }

  private waitAndRetry(): void {
    const delay = retryDelay(this.attempts, this.random);
    this.attempts += 1;
    this.setState("waiting");
    this.retry(delay);
  }

  private retry(delay: number): void {
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.timers.setTimeout(() => {
      if (this.state === "waiting") void this.connect();
    }, delay);
  }

  private startPing(): void {
    this.stopPing();
    this.pingTimer = this.timers.setInterval(() => this.send({ action: "ping" }), PING_MS);
  }

  private stopPing(): void {
    this.timers.clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private setState(state: SocketState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onState?.(state);
  }
}
