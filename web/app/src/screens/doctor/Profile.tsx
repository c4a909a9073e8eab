// The doctor's profile: where its review stands and what is still missing, the photo (taken
// with the phone's camera or chosen, sent straight to storage), and the details patients choose
// a doctor by. Only what changed is sent; a verified doctor's specialty and licence are shown,
// not editable (the API refuses to change them). The form is kept on the phone until saved.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { resumed, type Draft } from "../../drafts";
import type { components } from "../../api/schema";
import { money } from "../../format";
import type { Language } from "../../i18n";
import { shown, type Shown } from "../../problems";
import { navigate } from "../../router";
import { session } from "../../session";
import { t, type TextKey } from "../../texts/doctor";
import { Alert, Field } from "../../ui";
import { answer, draft, Labelled } from "./onboarding";

type Profile = components["schemas"]["users.DoctorProfile"];
type Label = { code: string; label: string };

const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
const NOT_READY_TRIES = 20;
const NONE: Shown = { message: "", fields: {} };

/** The form as typed (strings, as inputs hold them). */
type Form = {
  specialty: string;
  languages: string[];
  licence_number: string;
  facility: string;
  city: string;
  fee: string;
  biography: string;
  sex: string;
};

const kept = draft<Draft<Form>>("profile-draft");

function formOf(profile: Profile): Form {
  return {
    specialty: profile.specialty?.code ?? "",
    languages: profile.languages.map((l) => l.code),
    licence_number: profile.licence_number ?? "",
    facility: profile.facility ?? "",
    city: profile.city ?? "",
    fee: profile.fee_xof == null ? "" : String(profile.fee_xof),
    biography: profile.biography ?? "",
    sex: profile.sex ?? "",
  };
}

/** "7 500" / "7500 FCFA" -> 7500; null when it is not a whole number. */
export function feeOf(text: string): number | null {
  const digits = text.replace(/[\s\u00a0\u202f.,]|fcfa|xof/gi, "");
  return /^\d{1,7}$/.test(digits) ? Number(digits) : null;
}

const sameList = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join();

/** The body of PATCH /me: only the fields that changed (an emptied one cleared). */
function changes(form: Form, base: Form, locked: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const text = (name: "specialty" | "licence_number" | "facility" | "city" | "biography" | "sex") => {
    if (form[name].trim() !== base[name].trim()) body[name] = form[name].trim() || null;
  };
  if (!locked) {
    text("specialty");
    text("licence_number");
  }
  text("facility");
  text("city");
  text("biography");
  text("sex");
  if (!sameList(form.languages, base.languages)) body.languages = form.languages;
  if (form.fee.trim() !== base.fee.trim()) body.fee_xof = form.fee.trim() ? feeOf(form.fee) : null;
  return body;
}

function sameForm(a: Form, b: Form): boolean {
  return Object.keys(changes(a, b, false)).length === 0;
}

function longDate(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(language === "en" ? "en-GB" : "fr-FR", {
    timeZone: "Africa/Bamako", day: "numeric", month: "long", year: "numeric",
  }).format(new Date(iso));
}

/** Where the review stands, in words, and what is still missing. */
function Review(props: { profile: Profile; photo: boolean }) {
  const lang = session.language;
  const { profile } = props;
  const missing: { key: TextKey; required?: boolean; link?: string }[] = [];
  if (!profile.specialty) missing.push({ key: "specialty", required: true });
  if (!profile.licence_number) missing.push({ key: "dp_licence", required: true });
  if (!profile.city) missing.push({ key: "city", required: true });
  if (profile.fee_xof == null) missing.push({ key: "dp_fee", required: true });
  if (!props.photo) missing.push({ key: "dp_missing_photo" });
  if (!profile.has_schedule) missing.push({ key: "dp_missing_schedule", link: "/doctor/availability" });
  let words: string;
  let hint: TextKey;
  if (profile.status === "verified") {
    words = profile.verified_at ? t("dp_status_verified", lang, { date: longDate(profile.verified_at, lang) }) : t("dp_status_verified", lang, { date: "" });
    hint = "dp_status_verified_hint";
  } else if (profile.status === "suspended") {
    words = profile.status_reason ? t("dp_status_suspended", lang, { reason: profile.status_reason }) : t("dp_status_suspended_plain", lang);
    hint = "dp_status_suspended_hint";
  } else {
    words = t("dp_status_pending", lang);
    hint = "dp_status_pending_hint";
  }
  return (
    <div class="card review" data-status={profile.status}>
      <p class="review-status" role="status">{words}</p>
      <p class="hint">{t(hint, lang)}</p>
      {missing.length > 0 ? (
        <>
          <p class="review-missing">{t("dp_missing", lang)}</p>
          <ul class="missing">
            {missing.map((item) => (
              <li key={item.key}>
                {item.link ? (
                  <a href={item.link} onClick={(event) => { event.preventDefault(); navigate(item.link!); }}>
                    {t(item.key, lang)}
                  </a>
                ) : t(item.key, lang)}
                {item.required && <span class="hint"> {t("dp_missing_required", lang)}</span>}
              </li>
            ))}
          </ul>
        </>
      ) : <p class="done">{t("dp_complete", lang)}</p>}
    </div>
  );
}

/** The photo as the doctor sees it: the file just sent, or the stored one (a verified doctor's
 * through the public link; otherwise fetched with the doctor's token, since an image cannot
 * carry it). */
function usePhoto(profile: Profile | null, local: string | null): string | null {
  const [fetched, setFetched] = useState<string | null>(null);
  const photoUrl = profile?.photo_url ?? null;
  const verified = profile?.status === "verified";
  useEffect(() => {
    setFetched(null);
    if (!photoUrl || local || verified) return;
    let url: string | null = null;
    let gone = false;
    void (async () => {
      try {
        const token = await session.accessToken();
        const response = await fetch(photoUrl, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
        if (!response.ok || gone) return;
        url = URL.createObjectURL(await response.blob());
        setFetched(url);
      } catch {
        // Offline: the photo shows once back.
      }
    })();
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [photoUrl, local, verified]);
  if (local) return local;
  if (photoUrl && verified && profile) {
    return `/api/v1/users/doctors/${encodeURIComponent(profile.id)}/photo${photoUrl.slice(photoUrl.indexOf("?"))}`;
  }
  return fetched;
}

function PhotoCard(props: { profile: Profile; onSaved: (profile: Profile, local: string) => void; src: string | null }) {
  const lang = session.language;
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [inputs, setInputs] = useState(0);

  async function send(file: File) {
    setDone(false);
    if (!PHOTO_TYPES.includes(file.type)) return setError(t("dp_photo_type", lang));
    if (file.size > PHOTO_MAX_BYTES) return setError(t("dp_photo_too_large", lang));
    setError("");
    setBusy(true);
    try {
      const form = await answer(api.POST("/api/v1/users/me/photo", { body: { content_type: file.type, size: file.size } }));
      if (!form.ok) {
        return setError(form.offline ? t("dp_photo_failed", lang) : shown(form.problem, t("error", lang)).message);
      }
      const body = new FormData();
      for (const [name, value] of Object.entries(form.data.fields)) body.append(name, value);
      body.append("file", file);
      let stored = false;
      try {
        stored = (await fetch(form.data.url, { method: "POST", body })).ok;
      } catch {
        stored = false;
      }
      if (!stored) return setError(t("dp_photo_failed", lang));
      const confirmed = await answer(api.PUT("/api/v1/users/me/photo", { body: { upload_id: form.data.upload_id } }));
      if (!confirmed.ok) {
        return setError(confirmed.offline ? t("dp_photo_failed", lang) : shown(confirmed.problem, t("error", lang)).message);
      }
      props.onSaved(confirmed.data as Profile, URL.createObjectURL(file));
      setDone(true);
    } finally {
      setBusy(false);
      setInputs((n) => n + 1); // the same file can be chosen again
    }
  }

  const choose = (event: Event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) void send(file);
  };
  const described = ["dp-photo-hint", error ? "dp-photo-error" : ""].filter(Boolean).join(" ");
  return (
    <section class="card photo-card" aria-labelledby="dp-photo-title">
      <h2 id="dp-photo-title">{t("dp_photo", lang)}</h2>
      <div class="photo-row">
        {props.src ? (
          <img class="own-photo" src={props.src} alt={t("dp_photo_yours", lang)} width={96} height={96} />
        ) : (
          <p class="own-photo empty">{t("dp_no_photo", lang)}</p>
        )}
        <div class="photo-actions" key={inputs}>
          <label for="dp-camera" class="button file">{t("dp_take_photo", lang)}</label>
          <input id="dp-camera" class="visually-hidden" type="file" accept="image/jpeg,image/png,image/webp"
            capture="user" aria-describedby={described} onChange={choose} disabled={busy} />
          <label for="dp-photo-file" class="button file">{t("dp_choose_photo", lang)}</label>
          <input id="dp-photo-file" class="visually-hidden" type="file" accept="image/jpeg,image/png,image/webp"
            aria-describedby={described} aria-invalid={error ? "true" : undefined} onChange={choose} disabled={busy} />
        </div>
      </div>
      <p id="dp-photo-hint" class="hint">{t("dp_photo_hint", lang)}</p>
      <p role="status" class={done ? "done" : "hint"}>{busy ? t("dp_photo_sending", lang) : done ? t("dp_photo_saved", lang) : ""}</p>
      {error && <p id="dp-photo-error" class="field-error" role="alert">{error}</p>}
    </section>
  );
}

export function DoctorProfile() {
  const lang = session.language;
  const [profile, setProfile] = useState<Profile | null>(null);
  const [failed, setFailed] = useState(false);
  const [specialties, setSpecialties] = useState<Label[]>([]);
  const [languages, setLanguages] = useState<Label[]>([]);
  const [form, setForm] = useState<Form | null>(null);
  const [base, setBase] = useState<Form | null>(null);
  const [restored, setRestored] = useState(false);
  const [problem, setProblem] = useState<Shown>(NONE);
  const [saved, setSaved] = useState(false);
  const [saving, setSaving] = useState(false);
  const [localPhoto, setLocalPhoto] = useState<string | null>(null);
  const photo = usePhoto(profile, localPhoto);

  async function load() {
    setFailed(false);
    // Just signed up: the profile is made from the account within seconds.
    for (let tries = 0; tries < NOT_READY_TRIES; tries++) {
      const found = await answer(api.GET("/api/v1/users/me"));
      if (found.ok) {
        const loaded = found.data as Profile;
        setProfile(loaded);
        const fresh = formOf(loaded);
        const shown = resumed(kept.load(), fresh, sameForm);
        setForm(shown.value);
        setRestored(shown.restored);
        if (shown.stale) kept.clear();
        setBase(fresh);
        return;
      }
      if (found.offline || found.status !== 404) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    setFailed(true);
  }

  useEffect(() => {
    void load();
  }, []);
  useEffect(() => {
    void answer(api.GET("/api/v1/users/specialties")).then((found) => found.ok && setSpecialties((found.data.items as Label[]) ?? []));
    void answer(api.GET("/api/v1/users/languages")).then((found) => found.ok && setLanguages((found.data.items as Label[]) ?? []));
  }, [lang]);
  useEffect(() => {
    if (!form || !base) return;
    if (sameForm(form, base)) kept.clear();
    else kept.save({ edited: form, saved: base });
  }, [form, base]);

  if (!profile || !form || !base) {
    if (!failed) return <p class="loading" role="status">…</p>;
    return (
      <section class="card">
        <p class="alert" role="alert">{t("load_failed", lang)}</p>
        <button type="button" onClick={() => void load()}>{t("retry", lang)}</button>
      </section>
    );
  }

  // Checked by the team once verified (and still so when suspended): support changes them.
  const locked = profile.status !== "pending";
  const set = (name: keyof Form) => (value: string) => {
    setSaved(false);
    setForm({ ...form, [name]: value });
    // The problem pointed out for this field goes once it is being corrected.
    const field = name === "fee" ? "fee_xof" : name;
    if (problem.fields[field]) {
      const { [field]: _gone, ...others } = problem.fields;
      setProblem({ ...problem, fields: others });
    }
  };
  const toggleLanguage = (code: string, on: boolean) => {
    setSaved(false);
    setForm({ ...form, languages: on ? [...form.languages, code] : form.languages.filter((c) => c !== code) });
  };
  const fee = feeOf(form.fee);

  async function save(event: Event) {
    event.preventDefault();
    if (!form || !base) return;
    setSaved(false);
    const body = changes(form, base, locked);
    if (form.fee.trim() && fee === null) {
      return setProblem({ message: "", fields: { fee_xof: t("dp_fee_whole", lang) } });
    }
    if (Object.keys(body).length === 0) return setProblem({ message: t("dp_nothing_changed", lang), fields: {} });
    setSaving(true);
    const result = await answer(api.PATCH("/api/v1/users/me", { body: body as never }));
    setSaving(false);
    if (!result.ok) {
      return setProblem(result.offline ? { message: t("dp_not_saved", lang), fields: {} } : shown(result.problem, t("error", lang)));
    }
    const updated = result.data as Profile;
    setProfile(updated);
    setForm(formOf(updated));
    setBase(formOf(updated));
    setRestored(false);
    kept.clear();
    setProblem(NONE);
    setSaved(true);
  }

  function discard() {
    if (!base) return;
    setForm(base);
    setRestored(false);
    setProblem(NONE);
  }

  const specialtyOptions = form.specialty && !specialties.some((s) => s.code === form.specialty) && profile.specialty
    ? [...specialties, profile.specialty] : specialties;
  const languageOptions = [...languages, ...profile.languages.filter((l) => !languages.some((known) => known.code === l.code))];

  return (
    <section class="onboarding" aria-labelledby="dp-title">
      <h1 id="dp-title">{t("dp_title", lang)}</h1>
      <p class="who">{profile.full_name}</p>
      <Review profile={profile} photo={Boolean(profile.photo_url)} />
      <PhotoCard profile={profile} src={photo} onSaved={(updated, local) => {
        setProfile(updated);
        setLocalPhoto(local);
      }} />
      <form class="card" onSubmit={save} noValidate aria-labelledby="dp-details-title">
        <h2 id="dp-details-title">{t("dp_details", lang)}</h2>
        {restored && <p class="kept" role="status">{t("dp_kept", lang)}</p>}
        {locked ? (
          <div class="field locked">
            <p class="label">{t("specialty", lang)}</p>
            <p class="value">{profile.specialty?.label ?? ""}</p>
            <p class="label">{t("dp_licence", lang)}</p>
            <p class="value">{profile.licence_number ?? ""}</p>
            <p class="hint">{t("dp_locked", lang)}</p>
          </div>
        ) : (
          <>
            <Labelled id="dp-specialty" label={t("specialty", lang)} error={problem.fields.specialty}>
              {(id, describedBy) => (
                <select id={id} name="specialty" value={form.specialty} aria-describedby={describedBy}
                  aria-invalid={problem.fields.specialty ? "true" : undefined}
                  onChange={(event) => set("specialty")((event.target as HTMLSelectElement).value)}>
                  <option value="">{t("dp_specialty_choose", lang)}</option>
                  {specialtyOptions.map((s) => <option key={s.code} value={s.code}>{s.label}</option>)}
                </select>
              )}
            </Labelled>
            <Field label={t("dp_licence", lang)} name="licence_number" value={form.licence_number}
              onInput={set("licence_number")} error={problem.fields.licence_number} autocomplete="off" />
          </>
        )}
        <fieldset class="field" aria-describedby={problem.fields.languages ? "dp-languages-error" : undefined}>
          <legend>{t("languages_spoken", lang)}</legend>
          <div class="choices">
            {languageOptions.map((language) => (
              <label key={language.code} class="check">
                <input type="checkbox" name="languages" value={language.code}
                  checked={form.languages.includes(language.code)}
                  onChange={(event) => toggleLanguage(language.code, (event.target as HTMLInputElement).checked)} />
                {language.label}
              </label>
            ))}
          </div>
          {problem.fields.languages && <p id="dp-languages-error" class="field-error">{problem.fields.languages}</p>}
        </fieldset>
        <Field label={t("dp_facility", lang)} name="facility" value={form.facility} onInput={set("facility")}
          error={problem.fields.facility} autocomplete="organization" />
        <Field label={t("city", lang)} name="city" value={form.city} onInput={set("city")}
          error={problem.fields.city} autocomplete="address-level2" />
        <Labelled id="dp-fee" label={t("dp_fee", lang)} error={problem.fields.fee_xof}
          hint={fee !== null ? t("dp_fee_is", lang, { amount: money(fee, lang) })
            : problem.fields.fee_xof ? undefined : t("dp_fee_whole", lang)}>
          {(id, describedBy) => (
            <input id={id} name="fee_xof" inputMode="numeric" autocomplete="off" value={form.fee}
              aria-describedby={describedBy} aria-invalid={problem.fields.fee_xof ? "true" : undefined}
              onInput={(event) => set("fee")((event.target as HTMLInputElement).value)} />
          )}
        </Labelled>
        <Labelled id="dp-biography" label={t("dp_biography", lang)} error={problem.fields.biography}>
          {(id, describedBy) => (
            <textarea id={id} name="biography" rows={5} maxLength={2000} value={form.biography}
              aria-describedby={describedBy} aria-invalid={problem.fields.biography ? "true" : undefined}
              onInput={(event) => set("biography")((event.target as HTMLTextAreaElement).value)} />
          )}
        </Labelled>
        <fieldset class="field" aria-describedby={problem.fields.sex ? "dp-sex-error" : undefined}>
          <legend>{t("dp_sex", lang)}</legend>
          <div class="choices">
            {(["female", "male"] as const).map((sex) => (
              <label key={sex} class="check">
                <input type="radio" name="sex" value={sex} checked={form.sex === sex}
                  onChange={() => set("sex")(sex)} />
                {t(sex === "female" ? "dp_female" : "dp_male", lang)}
              </label>
            ))}
          </div>
          {problem.fields.sex && <p id="dp-sex-error" class="field-error">{problem.fields.sex}</p>}
        </fieldset>
        <Alert>{problem.message}</Alert>
        {saved && <p class="done" role="status">{t("dp_saved", lang)}</p>}
        <div class="actions">
          <button class="primary" type="submit" disabled={saving}>{t("save", lang)}</button>
          {!sameForm(form, base) && <button type="button" onClick={discard}>{t("dp_discard", lang)}</button>}
        </div>
      </form>
    </section>
  );
}
