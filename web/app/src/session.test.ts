import { describe, expect, it } from "vitest";
import { Session } from "./session";

function memory() {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

const grant = (n: number) => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  expires_in: 900,
  user_id: "u1",
  role: "patient",
});

describe("the session", () => {
  it("renews the access token with the refresh token a minute before it expires, once", async () => {
    let now = 0;
    const sent: unknown[] = [];
    const session = new Session(memory(), () => now, async (_path, body) => {
      sent.push(body);
      return new Response(JSON.stringify(grant(2)), { status: 200 });
    });
    session.start(grant(1));

    expect(await session.accessToken()).toBe("access-1");
    now = 841_000; // 14 min 1 s: inside the last minute
    const [first, second] = await Promise.all([session.accessToken(), session.accessToken()]);

    expect([first, second]).toEqual(["access-2", "access-2"]);
    expect(sent).toEqual([{ refresh_token: "refresh-1" }]);
  });

  it("signs out when the refresh token is refused", async () => {
    let now = 0;
    const session = new Session(memory(), () => now, async () => new Response("", { status: 401 }));
    session.start(grant(1));
    now = 900_000;

    expect(await session.accessToken()).toBeNull();
    expect(session.signedIn).toBe(false);
  });
});

describe("a reloaded session", () => {
  it("knows who it was, and stays so offline until the refresh token is refused", async () => {
    const storage = memory();
    new Session(storage, () => 0, async () => new Response("", { status: 500 })).start(grant(1));

    const offline = new Session(storage, () => 0, async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(offline.signedIn).toBe(true);
    expect(await offline.accessToken()).toBeNull();
    expect(offline.signedIn).toBe(true);

    const refused = new Session(storage, () => 0, async () => new Response("", { status: 401 }));
    expect(await refused.accessToken()).toBeNull();
    expect(refused.signedIn).toBe(false);
  });
});
