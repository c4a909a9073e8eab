import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveSocket, PING_MS, retryDelay, type SocketLike } from "./socket";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closedWith: [number | undefined, string | undefined] | null = null;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
  opened() {
    this.readyState = 1;
    this.onopen?.({});
  }
  dropped() {
    this.readyState = 3;
    this.onclose?.({});
  }
}

function given(urls: () => Promise<string | null> = async () => "wss://socket/?token=t") {
  const sockets: FakeSocket[] = [];
  const frames: Record<string, unknown>[] = [];
  const network = new EventTarget();
  const opens: number[] = [];
  const live = new LiveSocket({
    url: urls,
    onFrame: (frame) => frames.push(frame),
    onOpen: () => opens.push(sockets.length),
    open: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    random: () => 0.5,
    network,
  });
  return { live, sockets, frames, network, opens };
}

describe("a socket that stays up", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits longer after each failed attempt, up to 30 s, with ±20 % jitter", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => retryDelay(n, () => 0.5))).toEqual([
      1000, 2000, 4000, 8000, 15000, 30000, 30000,
    ]);
    expect(retryDelay(0, () => 0)).toBe(800);
    expect(retryDelay(0, () => 1)).toBe(1200);
  });

  it("reconnects after a drop with a fresh URL, and starts over once connected", async () => {
    let token = 0;
    const { live, sockets, opens } = given(async () => `wss://socket/?token=t${++token}`);
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0].opened();
    // when the connection drops twice before one opens again
    sockets[0].dropped();
    expect(live.state).toBe("waiting");
    await vi.advanceTimersByTimeAsync(999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    sockets[1].dropped();
    await vi.advanceTimersByTimeAsync(1999);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    // then each attempt has its own token, and an open connection resets the backoff
    expect(sockets.map((s) => s.url)).toEqual([
      "wss://socket/?token=t1", "wss://socket/?token=t2", "wss://socket/?token=t3",
    ]);
    sockets[2].opened();
    expect(live.attempts).toBe(0);
    expect(opens).toEqual([1, 3]);
  });

  it("comes back at once when the phone is online again", async () => {
    const { live, sockets, network } = given();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0].opened();
    sockets[0].dropped();
    sockets.length = 0;
    // a few failures: the next attempt is far away
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(30_000);
      sockets[sockets.length - 1]?.dropped();
    }
    const before = sockets.length;
    network.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.length).toBe(before + 1);
  });

  it("does not reconnect once stopped, and closes the open connection", async () => {
    const { live, sockets } = given();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0].opened();
    live.stop("signed out");
    expect(sockets[0].closedWith).toEqual([1000, "signed out"]);
    sockets[0].dropped();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(live.state).toBe("stopped");
  });

  it("stops when the URL is refused (signed out), and retries when it could not be had", async () => {
    let answer: () => Promise<string | null> = async () => {
      throw new Error("offline");
    };
    const { live, sockets } = given(() => answer());
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(live.state).toBe("waiting");
    answer = async () => null;
    await vi.advanceTimersByTimeAsync(1000);
    expect(live.state).toBe("stopped");
    expect(sockets).toHaveLength(0);
  });

  it("pings while open, passes frames on, and ignores what is not JSON", async () => {
    const { live, sockets, frames } = given();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0].opened();
    await vi.advanceTimersByTimeAsync(PING_MS);
    expect(sockets[0].sent).toEqual(['{"action":"ping"}']);
    sockets[0].onmessage?.({ data: '{"type":"notification","id":"n1"}' });
    sockets[0].onmessage?.({ data: "not json" });
    expect(frames).toEqual([{ type: "notification", id: "n1" }]);
    expect(live.send({ action: "sync" })).toBe(true);
    sockets[0].dropped();
    expect(live.send({ action: "sync" })).toBe(false);
  });

  it("reconnects at once on request, closing the connection it replaces", async () => {
    const { live, sockets } = given();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0].opened();
    live.reconnectNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets[0].closedWith).toEqual([1000, "reconnecting"]);
    expect(sockets).toHaveLength(2);
    // the old connection's close is not a drop: no second attempt is scheduled
    sockets[0].dropped();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(2);
  });
});
