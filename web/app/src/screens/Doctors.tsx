import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { money } from "../format";
import { t } from "../i18n";
import { navigate } from "../router";
import { session } from "../session";
import { Field } from "../ui";

type Card = { id: string; full_name: string; city?: string | null; fee_xof: number;
  specialty: { label: string } };

export function Doctors() {
  const lang = session.language;
  const [name, setName] = useState("");
  const [doctors, setDoctors] = useState<Card[] | null>(null);

  async function search(event?: Event) {
    event?.preventDefault();
    const { data } = await api.GET("/api/v1/users/doctors", {
      params: { query: name.trim() ? { name: name.trim() } : {} },
    });
    setDoctors((data?.items as Card[] | undefined) ?? []);
  }

  useEffect(() => {
    void search();
  }, []);

  return (
    <section>
      <form class="card" onSubmit={search} role="search">
        <h1>{t("doctors", lang)}</h1>
        <Field label={t("search_name", lang)} name="name" value={name} onInput={setName} />
        <button type="submit">{t("search", lang)}</button>
      </form>
      {doctors?.length === 0 && <p>{t("no_doctor", lang)}</p>}
      <ul class="list">
        {doctors?.map((doctor) => (
          <li key={doctor.id}>
            <a href={`/doctors/${doctor.id}`} class="card doctor" onClick={(event) => {
              event.preventDefault();
              navigate(`/doctors/${doctor.id}`);
            }}>
              <strong>{doctor.full_name}</strong>
              <span>{doctor.specialty.label}{doctor.city ? ` · ${doctor.city}` : ""}</span>
              <span>{money(doctor.fee_xof, lang)}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
