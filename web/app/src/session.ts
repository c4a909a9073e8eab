// Who is signed in. The access token lives in memory only; the refresh token is kept for the
// tab (sessionStorage), so that coming back from a payment provider's page does not sign the
// person out. It is rotated at every use and forgotten on sign-out.
import type { Language } from "./i18n";
import { preferredLanguage, savedLanguage } from "./i18n";

const REFRESH_KEY = "keneya.refresh";
const WHO_KEY = "keneya.who";
// Renew a little before the access token expires, so a request never carries a dead one.
const MARGIN_MS = 60_000;

export interface Grant {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user_id: string;
  role: string;
}

class Session {
  language: Language =
    savedLanguage(typeof localStorage === "undefined" ? null : localStorage)
    ?? preferredLanguage(typeof navigator === "undefined" ? [] : navigator.languages);
  userId: string | null = null;
  role: string | null = null;
  private token: string | null = null;
  private expiresAt = 0;
  private renewing: Promise<string | null> | null = null;
  private listeners = new Set<() => void>();

  constructor(
    private storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null,
    private now: () => number = () => Date.now(),
    private post: (path: string, body: unknown) => Promise<Response> = (path, body) =>
      fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }),
  ) {
    // Reloaded (or back from a provider's page): who it was, until the refresh token says
    // otherwise. Offline, the pages already seen stay readable.
    const who = this.storage?.getItem(WHO_KEY);
    if (who && this.storage?.getItem(REFRESH_KEY)) {
      [this.userId, this.role] = who.split(" ");
    }
  }

  get signedIn(): boolean {
    return this.userId !== null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(grant: Grant): void {
    this.token = grant.access_token;
    this.expiresAt = this.now() + grant.expires_in * 1000;
    this.userId = grant.user_id;
    this.role = grant.role;
    this.storage?.setItem(REFRESH_KEY, grant.refresh_token);
    this.storage?.setItem(WHO_KEY, `${grant.user_id} ${grant.role}`);
    this.listeners.forEach((listener) => listener());
  }

  end(): void {
    // What the service worker kept of this person's pages goes with them (a shared phone).
    if (typeof navigator !== "undefined") {
      navigator.serviceWorker?.controller?.postMessage("signed-out");
    }
    this.token = null;
    this.userId = null;
    this.role = null;
    this.storage?.removeItem(REFRESH_KEY);
    this.storage?.removeItem(WHO_KEY);
    this.listeners.forEach((listener) => listener());
  }

  /** A valid access token, renewed with the refresh token when it is about to expire. */
  async accessToken(): Promise<string | null> {
    if (this.token && this.now() < this.expiresAt - MARGIN_MS) return this.token;
    if (!this.storage?.getItem(REFRESH_KEY)) return this.token;
    this.renewing ??= this.renew().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renew(): Promise<string | null> {
    const refresh = this.storage?.getItem(REFRESH_KEY);
    if (!refresh) return null;
    let answer: Response;
    try {
      answer = await this.post("/api/v1/auth/refresh", { refresh_token: refresh });
    } catch {
      return null; // no network: still the same person, reading what was already seen
    }
    if (!answer.ok) {
      this.end();
      return null;
    }
    this.start((await answer.json()) as Grant);
    return this.token;
  }
}

export { Session };
export const session = new Session(typeof sessionStorage === "undefined" ? null : sessionStorage);
