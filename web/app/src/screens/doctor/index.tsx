// The doctors' screens, one per path under /doctor (fetched when a doctor first opens one).
import { match } from "../../router";
import { session } from "../../session";
import { t } from "../../texts/doctor";
import { DoctorAvailability } from "./Availability";
import { DoctorProfile } from "./Profile";

export function DoctorScreens(props: { path: string }) {
  const { path } = props;
  if (path === "/doctor/profile") return <DoctorProfile />;
  if (path === "/doctor/availability") return <DoctorAvailability />;
  const consultation = match("/doctor/consultations/:id", path);
  if (consultation) return <section data-id={consultation.id} />;
  return <section><h1>{t("nav_agenda", session.language)}</h1></section>;
}
