// The doctor's profile and where its review stands (built out by the profile screens).
import { session } from "../../session";
import { t } from "../../texts/doctor";

export function DoctorProfile() {
  return <section><h1>{t("nav_profile", session.language)}</h1></section>;
}
