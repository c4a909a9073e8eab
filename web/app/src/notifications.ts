// The person's notifications as they arrive: the unread count for the badge, the latest ones,
// kept up to date over the notifications socket (and caught up after a reconnection).
import type { components } from "./api/schema";
import { config, withQuery } from "./config";
import { session } from "./session";
import { LiveSocket, type LiveSocketOptions } from "./socket";

export type Notice = components["schemas"]["notifications.NotificationView"];

/** Kept in memory for the inbox and the toasts; older ones are a page away. */
export const KEPT = 50;

export interface InboxState {
  unread: number;
  items: Notice[];
  /** The newest notification arrived live, for a toast. */
  arrived: Notice | null;
}

export const EMPTY: InboxState = { unread: 0, items: [], arrived: null };

/** The inbox once `notices` are known (newest first, each once, at most KEPT). */
export function merged(items: Notice[], notices: Notice[]): Notice[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  for (const notice of notices) byId.set(notice.id, notice);
  return [...byId.values()]
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id))
    .slice(0, KEPT);
}

/** The inbox after a frame of the notifications socket. */
export function afterFrame(state: InboxState, frame: Record<string, unknown>): InboxState {
  const unread = typeof frame.unread === "number" ? frame.unread : state.unread;
  switch (frame.type) {
    case "notification": {
      const notice = frame.notification as Notice | undefined;
      if (!notice?.id) return { ...state, unread };
      const known = state.items.some((item) => item.id === notice.id);
      return { unread, items: merged(state.items, [notice]), arrived: known ? state.arrived : notice };
    }
    case "sync":
      return { ...state, unread, items: merged(state.items, (frame.notifications as Notice[]) ?? []) };
    case "unread_count":
      return { ...state, unread };
    default:
      return state;
  }
}

/** The newest notification held: a reconnected socket asks for what came after it. */
export function newestId(state: InboxState): string | null {
  return state.items[0]?.id ?? null;
}

/** Where a notification takes the person: the app's page it names (a call), its
 * consultation, or the record. */
export function destination(notice: Notice): string | null {
  const url = notice.link?.url;
  if (url && url.startsWith("/") && !url.startsWith("//")) return url;
  const consultation = notice.link?.consultation_id;
  if (consultation) return `/consultations/${encodeURIComponent(consultation)}`;
  if (notice.category === "records") return "/record";
  return null;
}

export class Inbox {
  state: InboxState = EMPTY;
  /** The socket is up: what the badge shows is live. */
  live = false;
  private socket: LiveSocket | null = null;
  private listeners = new Set<() => void>();

  constructor(private readonly socketOptions: Partial<LiveSocketOptions> = {}) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(url: () => Promise<string | null>): void {
    if (this.socket) return;
    this.socket = new LiveSocket({
      url,
      network: typeof window === "undefined" ? undefined : window,
      ...this.socketOptions,
      onFrame: (frame) => this.update(afterFrame(this.state, frame)),
      onOpen: () => {
        const after = newestId(this.state);
        this.socket?.send(after ? { action: "sync", after } : { action: "unread_count" });
      },
      onState: (state) => {
        this.live = state === "open";
        this.changed();
      },
    });
    this.socket.start();
  }

  stop(): void {
    this.socket?.stop("signed out");
    this.socket = null;
    this.live = false;
    this.update(EMPTY);
  }

  /** Notifications read from the API (the inbox screen's pages). */
  known(notices: Notice[], unread?: number): void {
    this.update({ ...this.state, items: merged(this.state.items, notices), unread: unread ?? this.state.unread });
  }

  /** Read here: every other screen and device hears it from the server. */
  read(id: string, unread: number): void {
    const items = this.state.items.map((item) => (item.id === id ? { ...item, read: true } : item));
    this.update({ ...this.state, items, unread });
  }

  allRead(): void {
    this.update({ ...this.state, unread: 0, items: this.state.items.map((item) => ({ ...item, read: true })) });
  }

  dismissArrived(): void {
    this.update({ ...this.state, arrived: null });
  }

  private update(state: InboxState): void {
    this.state = state;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

export const inbox = new Inbox();

/** The notifications socket of the signed-in person, with a fresh token at each connection. */
export async function notificationsUrl(): Promise<string | null> {
  const token = await session.accessToken();
  if (!token) return null;
  return withQuery((await config()).notifications, { token });
}
