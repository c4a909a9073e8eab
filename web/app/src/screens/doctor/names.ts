// Patients' names for the doctor's screens: read once per patient (the users service answers
// for the patients a doctor has a consultation with), kept for the visit.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";

const known = new Map<string, Promise<string | null>>();

export function patientName(patientId: string): Promise<string | null> {
  if (!known.has(patientId)) {
    known.set(
      patientId,
      api.GET("/api/v1/users/patients/{patient_id}", { params: { path: { patient_id: patientId } } })
        .then(({ data }) => (data as { full_name?: string } | undefined)?.full_name ?? null)
        .catch(() => {
          known.delete(patientId);
          return null;
        }),
    );
  }
  return known.get(patientId)!;
}

export function usePatientNames(ids: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = [...new Set(ids)].sort().join(",");
  useEffect(() => {
    for (const id of new Set(ids)) {
      void patientName(id).then((name) => {
        if (name) setNames((before) => (before[id] === name ? before : { ...before, [id]: name }));
      });
    }
  }, [key]);
  return names;
}
