// The doctors' screens, one per path under /doctor (fetched when a doctor first opens one).
import { match } from "../../router";
import { Agenda } from "./Agenda";
import { DoctorAvailability } from "./Availability";
import { DoctorConsultation } from "./Consultation";
import { Earnings } from "./Earnings";
import { WrittenEncounters } from "./Encounters";
import { PatientRecord } from "./PatientRecord";
import { DoctorProfile } from "./Profile";

export function DoctorScreens(props: { path: string }) {
  const { path } = props;
  if (path === "/doctor/profile") return <DoctorProfile />;
  if (path === "/doctor/availability") return <DoctorAvailability />;
  if (path === "/doctor/encounters") return <WrittenEncounters />;
  if (path === "/doctor/earnings") return <Earnings />;
  const consultation = match("/doctor/consultations/:id", path);
  if (consultation) return <DoctorConsultation id={consultation.id} />;
  const patient = match("/doctor/patients/:id", path);
  if (patient) {
    const from = new URLSearchParams(location.search).get("consultation");
    return <PatientRecord patientId={patient.id} consultationId={from} />;
  }
  return <Agenda />;
}
