// The inbox (live over the notifications socket, older pages from the API) and the choice of
// channels per category.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { bamakoDateTime } from "../format";
import { t, type TextKey } from "../i18n";
import { destination, inbox, type Notice } from "../notifications";
import { navigate } from "../router";
import { session } from "../session";
import { Alert } from "../ui";

export function Notifications() {
  const lang = session.language;
  const [, rerender] = useState(0);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [problem, setProblem] = useState("");

  useEffect(() => inbox.subscribe(() => rerender((n) => n + 1)), []);
  useEffect(() => void page(null), []);

  async function page(after: string | null) {
    const { data } = await api.GET("/api/v1/notifications", {
      params: { query: { limit: 20, ...(after ? { cursor: after } : {}) } },
    });
    if (!data) return setProblem(t("error", lang));
    inbox.known(data.items, data.unread);
    setCursor(data.next_cursor);
  }

  async function read(notice: Notice) {
    if (!notice.read) {
      const { data } = await api.POST("/api/v1/notifications/{notification_id}/read", {
        params: { path: { notification_id: notice.id } },
      });
      const count = await api.GET("/api/v1/notifications/unread-count");
      if (data) inbox.read(notice.id, count.data?.unread ?? Math.max(0, inbox.state.unread - 1));
    }
    const target = destination(notice);
    if (target) navigate(target);
  }

  async function readAll() {
    const { data } = await api.POST("/api/v1/notifications/read-all");
    if (!data) return setProblem(t("error", lang));
    inbox.allRead();
  }

  const { items, unread } = inbox.state;
  return (
    <section>
      <h1>{t("notifications", lang)}</h1>
      <p class="actions">
        <span>{t("unread_count", lang, { count: unread })}</span>
        <span class="live" data-live={inbox.live ? "on" : "off"}>
          {t(inbox.live ? "live_on" : "live_off", lang)}
        </span>
      </p>
      {unread > 0 && <button onClick={() => void readAll()}>{t("mark_all_read", lang)}</button>}
      <Alert>{problem}</Alert>
      {cursor === undefined && items.length === 0 && <p class="loading">…</p>}
      {cursor !== undefined && items.length === 0 && <p>{t("no_notification", lang)}</p>}
      <ul class="list notices" aria-live="polite">
        {items.map((notice) => (
          <li key={notice.id} class="card notice" data-read={notice.read ? "yes" : "no"}>
            <strong>{notice.title}</strong>
            <span>{notice.body}</span>
            <time dateTime={notice.created_at}>{bamakoDateTime(notice.created_at, lang)}</time>
            {!notice.read && <span class="badge-text">{t("unread", lang)}</span>}
            {(destination(notice) || !notice.read) && (
              <button onClick={() => void read(notice)}>
                {t(destination(notice) ? "open_it" : "mark_read", lang)}
              </button>
            )}
          </li>
        ))}
      </ul>
      {cursor && <button onClick={() => void page(cursor)}>{t("more", lang)}</button>}
      <Preferences />
    </section>
  );
}

type Preferences = { categories: Record<string, Record<string, boolean>>; locked: string[];
  reachable: Record<string, boolean> };

const CHANNELS = ["in_app", "sms", "email", "push"];

function Preferences() {
  const lang = session.language;
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [note, setNote] = useState("");

  useEffect(() => {
    void api.GET("/api/v1/notifications/preferences").then(({ data }) => {
      if (data) setPreferences(data as Preferences);
    });
  }, []);

  if (!preferences) return null;

  function toggle(category: string, channel: string, on: boolean) {
    setNote("");
    setPreferences((current) => current && ({
      ...current,
      categories: { ...current.categories, [category]: { ...current.categories[category], [channel]: on } },
    }));
  }

  async function save(event: Event) {
    event.preventDefault();
    const categories = Object.fromEntries(
      Object.entries(preferences!.categories).filter(([category]) => !preferences!.locked.includes(category)),
    );
    const { data, error } = await api.PUT("/api/v1/notifications/preferences", { body: { categories } });
    if (error || !data) return setNote(t("error", lang));
    setPreferences(data as Preferences);
    setNote(t("saved", lang));
  }

  return (
    <form class="card preferences" onSubmit={(event) => void save(event)}>
      <h2>{t("preferences", lang)}</h2>
      <p>{t("preferences_hint", lang)}</p>
      {Object.entries(preferences.categories).map(([category, channels]) => {
        const locked = preferences.locked.includes(category);
        return (
          <fieldset key={category}>
            <legend>{t(`category_${category}` as TextKey, lang)}</legend>
            {CHANNELS.filter((channel) => channel in channels).map((channel) => (
              <label key={channel} class="check">
                <input
                  type="checkbox"
                  name={`${category}.${channel}`}
                  checked={channels[channel]}
                  disabled={locked}
                  onChange={(event) => toggle(category, channel, (event.target as HTMLInputElement).checked)}
                />
                {t(`channel_${channel}` as TextKey, lang)}
                {preferences.reachable[channel] === false && ` ${t("not_reachable", lang)}`}
              </label>
            ))}
          </fieldset>
        );
      })}
      <button class="primary" type="submit">{t("save", lang)}</button>
      {note && <p role="status">{note}</p>}
    </form>
  );
}
