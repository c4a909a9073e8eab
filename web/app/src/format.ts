// Times as people in Mali read them (Africa/Bamako) and money as FCFA with no decimals.
import type { Language } from "./i18n";

const LOCALES: Record<Language, string> = { fr: "fr-FR", en: "en-GB", bm: "fr-FR" };

/** 7500 -> "7 500 FCFA" (fr, bm) / "7,500 FCFA" (en). XOF has no minor unit. */
export function money(xof: number, language: Language): string {
  const grouped = new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: 0 }).format(
    Math.round(xof),
  );
  return `${grouped.replace(/\s/g, "\u00a0")}\u00a0FCFA`;
}

/** A UTC instant as a day and time in Bamako: "lun. 7 déc., 09:30". */
export function bamakoDateTime(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(LOCALES[language], {
    timeZone: "Africa/Bamako",
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

/** The time alone in Bamako: "09:30". */
export function bamakoTime(iso: string): string {
  return new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Africa/Bamako",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

/** "14:05" left until `deadline` (minutes:seconds), never negative. */
export function countdown(deadline: string, now: number): string {
  const seconds = Math.max(0, Math.floor((new Date(deadline).getTime() - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}
