// Where the app finds its two sockets. Locally the stack answers /config.json; on AWS it is a
// file the deployment writes beside the app in S3 (the sockets have their own domains).
export interface Config {
  signaling: string;
  notifications: string;
}

let loading: Promise<Config> | null = null;

export function config(): Promise<Config> {
  loading ??= fetch("/config.json", { cache: "no-store" }).then(async (answer) => {
    if (!answer.ok) throw new Error(`config.json: HTTP ${answer.status}`);
    return (await answer.json()) as Config;
  });
  // Failed (offline): ask again next time.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** `base` with these query parameters added. */
export function withQuery(base: string, query: Record<string, string>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}
