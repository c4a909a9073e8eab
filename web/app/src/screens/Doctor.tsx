import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { bamakoDateTime, money } from "../format";
import { t } from "../i18n";
import { shown, type Shown } from "../problems";
import { navigate } from "../router";
import { session } from "../session";
import { Alert, Field } from "../ui";

type Doctor = { id: string; full_name: string; biography?: string | null; fee_xof: number;
  facility?: string | null; city?: string | null; specialty: { label: string };
  languages: { code: string; label: string }[]; photo_url?: string | null };

/** The doctor's page: who, the fee, the next free slots; choose one and book it. */
export function DoctorPage(props: { id: string }) {
  const lang = session.language;
  const [doctor, setDoctor] = useState<Doctor | null>(null);
  const [slots, setSlots] = useState<string[]>([]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<Shown>({ message: "", fields: {} });

  useEffect(() => {
    void (async () => {
      const found = await api.GET("/api/v1/users/doctors/{doctor_id}", {
        params: { path: { doctor_id: props.id } },
      });
      setDoctor((found.data as Doctor | undefined) ?? null);
      const free = await api.GET("/api/v1/consultations/slots", {
        params: { query: { doctor_id: props.id } },
      });
      setSlots((free.data?.slots ?? []).slice(0, 12).map((slot) => slot.starts_at));
    })();
  }, [props.id]);

  async function book(event: Event) {
    event.preventDefault();
    if (!chosen) return;
    const { data, error } = await api.POST("/api/v1/consultations", {
      body: { doctor_id: props.id, starts_at: chosen, reason, mode: "video" },
      // A retry of the same booking (a dropped connection) books it once.
      headers: { "Idempotency-Key": `book-${props.id}-${chosen}` },
    });
    if (error || !data) return setProblem(shown(error as never, t("error", lang)));
    navigate(`/consultations/${data.id}/payment`);
  }

  if (!doctor) return <p class="loading">…</p>;
  return (
    <form class="card" onSubmit={book} noValidate>
      <div class="doctor-head">
        {doctor.photo_url && (
          <img class="photo" src={doctor.photo_url} alt={t("photo_of", lang, { name: doctor.full_name })}
            width={96} height={96} loading="lazy" />
        )}
        <div>
          <h1>{doctor.full_name}</h1>
          <p>{doctor.specialty.label}</p>
          <p>{[doctor.facility, doctor.city].filter(Boolean).join(" · ")}</p>
        </div>
      </div>
      {doctor.languages.length > 0 && (
        <p>{t("languages_spoken", lang)} : {doctor.languages.map((l) => l.label).join(", ")}</p>
      )}
      {doctor.biography && <p>{doctor.biography}</p>}
      <p>{t("fee", lang)} : <strong>{money(doctor.fee_xof, lang)}</strong></p>
      <fieldset>
        <legend>{t("next_slots", lang)}</legend>
        {slots.length === 0 && <p>{t("no_slot", lang)}</p>}
        <div class="slots">
          {slots.map((slot) => (
            <label key={slot} class={chosen === slot ? "slot chosen" : "slot"}>
              <input type="radio" name="slot" value={slot} checked={chosen === slot}
                onChange={() => setChosen(slot)} />
              {bamakoDateTime(slot, lang)}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label={t("reason", lang)} name="reason" value={reason} onInput={setReason}
        error={problem.fields.reason} />
      <Alert>{problem.message}</Alert>
      <button class="primary" type="submit" disabled={!chosen}>{t("book", lang)}</button>
    </form>
  );
}
