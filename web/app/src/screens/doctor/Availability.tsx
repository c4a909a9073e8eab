// The doctor's weekly hours and exceptions (built out by the availability screen).
import { session } from "../../session";
import { t } from "../../texts/doctor";

export function DoctorAvailability() {
  return <section><h1>{t("nav_availability", session.language)}</h1></section>;
}
