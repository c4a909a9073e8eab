// Find a doctor: by name, and in a folded panel by specialty, language, city and fee ceiling;
// more results a page at a time.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { activeFilters, directoryQuery, FEE_CEILINGS, NO_FILTERS, type DirectoryFilters } from "../directory";
import { money } from "../format";
import { t } from "../i18n";
import { navigate } from "../router";
import { session } from "../session";
import { Alert, Field } from "../ui";

type Label = { code: string; label: string };
type Card = { id: string; full_name: string; city?: string | null; fee_xof: number;
  specialty: Label; languages: Label[]; photo_url?: string | null };

function Choice(props: { label: string; name: string; value: string; options: Label[];
  onChange: (value: string) => void }) {
  const lang = session.language;
  return (
    <div class="field">
      <label for={`filter-${props.name}`}>{props.label}</label>
      <select id={`filter-${props.name}`} name={props.name} value={props.value}
        onChange={(event) => props.onChange((event.target as HTMLSelectElement).value)}>
        <option value="">{t("any", lang)}</option>
        {props.options.map((option) => <option key={option.code} value={option.code}>{option.label}</option>)}
      </select>
    </div>
  );
}

export function Doctors() {
  const lang = session.language;
  const [filters, setFilters] = useState<DirectoryFilters>(NO_FILTERS);
  const [doctors, setDoctors] = useState<Card[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [specialties, setSpecialties] = useState<Label[]>([]);
  const [languages, setLanguages] = useState<Label[]>([]);
  const [problem, setProblem] = useState("");
  const set = (field: keyof DirectoryFilters) => (value: string) => setFilters({ ...filters, [field]: value });

  async function search(event?: Event, cursor?: string | null) {
    event?.preventDefault();
    setProblem("");
    const { data } = await api.GET("/api/v1/users/doctors", {
      params: { query: directoryQuery(filters, cursor) },
    });
    if (!data) return setProblem(t("error", lang));
    const found = (data.items as Card[] | undefined) ?? [];
    setDoctors(cursor ? [...(doctors ?? []), ...found] : found);
    setNext((data as { next_cursor?: string | null }).next_cursor ?? null);
  }

  useEffect(() => {
    void search();
    void api.GET("/api/v1/users/specialties").then(({ data }) => setSpecialties((data?.items as Label[]) ?? []));
    void api.GET("/api/v1/users/languages").then(({ data }) => setLanguages((data?.items as Label[]) ?? []));
  }, [lang]);

  const on = activeFilters(filters);
  return (
    <section>
      <form class="card" onSubmit={(event) => void search(event)} role="search">
        <h1>{t("doctors", lang)}</h1>
        <Field label={t("search_name", lang)} name="name" value={filters.name} onInput={set("name")} />
        <details class="filters" open={on > 0}>
          <summary>{on ? t("filters_on", lang, { count: on }) : t("filters", lang)}</summary>
          <Choice label={t("specialty", lang)} name="specialty" value={filters.specialty}
            options={specialties} onChange={set("specialty")} />
          <Choice label={t("spoken_language", lang)} name="language" value={filters.language}
            options={languages} onChange={set("language")} />
          <Field label={t("city", lang)} name="city" value={filters.city} onInput={set("city")} />
          <Choice label={t("fee_at_most", lang)} name="fee_max" value={filters.feeMax}
            options={FEE_CEILINGS.map((fee) => ({ code: String(fee), label: money(fee, lang) }))}
            onChange={set("feeMax")} />
        </details>
        <button class="primary" type="submit">{t("search", lang)}</button>
        {on > 0 && (
          <button type="button" onClick={() => setFilters({ ...NO_FILTERS, name: filters.name })}>
            {t("clear_filters", lang)}
          </button>
        )}
      </form>
      <Alert>{problem}</Alert>
      {doctors === null && <p class="loading" role="status">…</p>}
      {doctors?.length === 0 && <p>{t("no_doctor", lang)}</p>}
      <ul class="list" aria-live="polite">
        {doctors?.map((doctor) => (
          <li key={doctor.id}>
            <a href={`/doctors/${doctor.id}`} class="card doctor" onClick={(event) => {
              event.preventDefault();
              navigate(`/doctors/${doctor.id}`);
            }}>
              <strong>{doctor.full_name}</strong>
              <span>{doctor.specialty.label}{doctor.city ? ` · ${doctor.city}` : ""}</span>
              {doctor.languages.length > 0 && <span>{doctor.languages.map((l) => l.label).join(", ")}</span>}
              <span>{money(doctor.fee_xof, lang)}</span>
            </a>
          </li>
        ))}
      </ul>
      {next && <button onClick={() => void search(undefined, next)}>{t("more_doctors", lang)}</button>}
    </section>
  );
}
