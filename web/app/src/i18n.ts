// French by default, English on request, Bambara where a text is written (French otherwise).
export type Language = "fr" | "en" | "bm";

/** A text in each language it is written in (French always). */
export type Text = { fr: string; en?: string; bm?: string };
export type Texts = Record<string, Text>;

export const TEXTS = {
  app: { fr: "Keneya", en: "Keneya" },
  tagline: { fr: "Votre médecin, sur votre téléphone", en: "Your doctor, on your phone", bm: "I ka dɔgɔtɔrɔ, i ka telefɔni kan" },
  sign_in: { fr: "Se connecter", en: "Sign in", bm: "Don" },
  sign_up: { fr: "Créer un compte", en: "Create an account" },
  sign_up_doctor: { fr: "Créer un compte médecin", en: "Create a doctor's account" },
  doctor_sign_up_link: { fr: "Vous êtes médecin ? Créez votre compte médecin", en: "A doctor? Create your doctor's account" },
  not_for_you: { fr: "Cette page n'est pas pour votre compte.", en: "This page is not for your account." },
  nav_agenda: { fr: "Agenda", en: "Agenda" },
  nav_availability: { fr: "Horaires", en: "Hours" },
  nav_profile: { fr: "Profil", en: "Profile" },
  nav_earnings: { fr: "Revenus", en: "Earnings" },
  nav_review: { fr: "Médecins", en: "Doctors" },
  nav_refunds: { fr: "Remboursements", en: "Refunds" },
  sign_out: { fr: "Se déconnecter", en: "Sign out" },
  phone: { fr: "Numéro de téléphone", en: "Phone number" },
  forgot: { fr: "Mot de passe oublié", en: "Forgotten password" },
  send_code: { fr: "Recevoir un code par SMS", en: "Get a code by SMS" },
  new_password: { fr: "Nouveau mot de passe", en: "New password" },
  set_password: { fr: "Changer le mot de passe", en: "Set the password" },
  account: { fr: "Mon compte", en: "My account" },
  change_password: { fr: "Changer de mot de passe", en: "Change the password" },
  password_changed: { fr: "Mot de passe changé.", en: "Password changed." },
  sign_out_everywhere: { fr: "Se déconnecter de tous les appareils", en: "Sign out on every device" },
  password: { fr: "Mot de passe", en: "Password" },
  full_name: { fr: "Nom complet", en: "Full name" },
  code: { fr: "Code reçu par SMS", en: "Code received by SMS" },
  code_sent: { fr: "Un code a été envoyé au {phone}.", en: "A code was sent to {phone}." },
  verify: { fr: "Vérifier", en: "Verify" },
  resend: { fr: "Renvoyer le code", en: "Send the code again" },
  resend_in: { fr: "Renvoyer dans {seconds} s", en: "Send again in {seconds} s" },
  doctors: { fr: "Trouver un médecin", en: "Find a doctor", bm: "Dɔgɔtɔrɔ ɲini" },
  search_name: { fr: "Nom du médecin", en: "Doctor's name" },
  search: { fr: "Rechercher", en: "Search" },
  filters: { fr: "Filtres", en: "Filters" },
  filters_on: { fr: "Filtres ({count})", en: "Filters ({count})" },
  clear_filters: { fr: "Effacer les filtres", en: "Clear the filters" },
  any: { fr: "Indifférent", en: "Any" },
  specialty: { fr: "Spécialité", en: "Specialty" },
  spoken_language: { fr: "Langue parlée", en: "Language spoken" },
  city: { fr: "Ville", en: "City" },
  fee_at_most: { fr: "Tarif au plus", en: "Fee at most" },
  more_doctors: { fr: "Voir plus de médecins", en: "Show more doctors" },
  languages_spoken: { fr: "Langues parlées", en: "Languages spoken" },
  photo_of: { fr: "Photo de {name}", en: "Photo of {name}" },
  no_doctor: { fr: "Aucun médecin ne correspond.", en: "No doctor matches." },
  fee: { fr: "Tarif", en: "Fee" },
  next_slots: { fr: "Prochains créneaux (heure de Bamako)", en: "Next slots (Bamako time)" },
  no_slot: { fr: "Aucun créneau libre cette semaine.", en: "No free slot this week." },
  reason: { fr: "Motif de la consultation", en: "Reason for the consultation" },
  book: { fr: "Réserver", en: "Book" },
  pay_with: { fr: "Payer avec", en: "Pay with" },
  orange_money: { fr: "Orange Money", en: "Orange Money" },
  moov_money: { fr: "Moov Money", en: "Moov Money" },
  pay_within: { fr: "Payez dans les {time}", en: "Pay within {time}" },
  preparing_payment: { fr: "Préparation du paiement…", en: "Preparing the payment…" },
  confirm_on_phone: {
    fr: "Confirmez le paiement sur votre téléphone Moov Money ; cette page se met à jour seule.",
    en: "Confirm the payment on your Moov Money phone; this page updates by itself.",
  },
  status_pending_payment: { fr: "En attente de paiement", en: "Waiting for payment" },
  status_confirmed: { fr: "Confirmée", en: "Confirmed", bm: "A sinsinna" },
  status_expired: { fr: "Expirée (non payée)", en: "Expired (not paid)" },
  status_cancelled: { fr: "Annulée", en: "Cancelled" },
  status_in_progress: { fr: "En cours", en: "In progress" },
  status_completed: { fr: "Terminée", en: "Completed" },
  status_no_show: { fr: "Absence", en: "No-show" },
  consultation: { fr: "Ma consultation", en: "My consultation" },
  my_consultations: { fr: "Mes consultations", en: "My consultations" },
  cancel: { fr: "Annuler la consultation", en: "Cancel the consultation" },
  confirm_cancel: { fr: "Oui, annuler", en: "Yes, cancel" },
  keep: { fr: "Non, la garder", en: "No, keep it" },
  refund_rule: {
    fr: "Annulée maintenant, elle vous est remboursée en entier (vous pouvez annuler avec remboursement jusqu'au {until}, heure de Bamako).",
    en: "Cancelled now, it is refunded in full (you can cancel with a refund until {until}, Bamako time).",
  },
  refund_too_late: {
    fr: "Il est trop tard pour un remboursement : annulée maintenant, elle n'est pas remboursée (sauf si le médecin ne vient pas).",
    en: "It is too late for a refund: cancelled now, it is not refunded (unless the doctor does not come).",
  },
  nothing_paid: { fr: "Rien n'a été payé : rien à rembourser.", en: "Nothing was paid: nothing to refund." },
  refunded: { fr: "Annulée : {amount} vous seront remboursés.", en: "Cancelled: {amount} will be refunded to you." },
  not_refunded: { fr: "Annulée, sans remboursement.", en: "Cancelled, not refunded." },
  upcoming: { fr: "À venir", en: "Upcoming" },
  past: { fr: "Passées", en: "Past" },
  none: { fr: "Aucune pour l'instant.", en: "None yet." },
  join_call: { fr: "Rejoindre l'appel", en: "Join the call" },
  offline: {
    fr: "Hors connexion : vous voyez les pages déjà ouvertes.",
    en: "Offline: you see the pages already opened.",
  },
  load_failed: {
    fr: "Impossible de charger ces informations. Vérifiez la connexion puis réessayez.",
    en: "This could not be loaded. Check the connection, then try again.",
  },
  retry: { fr: "Réessayer", en: "Try again" },
  error: { fr: "Une erreur est survenue ; réessayez.", en: "Something went wrong; try again." },
  language: { fr: "Langue", en: "Language", bm: "Kan" },
  my_record: { fr: "Mon dossier", en: "My record", bm: "N ka kɛnɛya gafe" },
  notifications: { fr: "Notifications", en: "Notifications", bm: "Kunnafoniw" },
  unread_count: { fr: "{count} non lue(s)", en: "{count} unread" },
  mark_all_read: { fr: "Tout marquer comme lu", en: "Mark all as read" },
  mark_read: { fr: "Marquer comme lue", en: "Mark as read" },
  unread: { fr: "Non lue", en: "Unread" },
  more: { fr: "Voir plus", en: "Show more" },
  no_notification: { fr: "Aucune notification.", en: "No notifications." },
  open_it: { fr: "Ouvrir", en: "Open" },
  preferences: { fr: "Comment vous prévenir", en: "How to tell you" },
  preferences_hint: {
    fr: "Choisissez, pour chaque sujet, par où vous êtes prévenu. Les alertes de sécurité sont toujours envoyées.",
    en: "Choose, for each subject, how you are told. Security alerts are always sent.",
  },
  save: { fr: "Enregistrer", en: "Save" },
  saved: { fr: "Enregistré.", en: "Saved." },
  category_security: { fr: "Sécurité du compte", en: "Account security" },
  category_account: { fr: "Compte", en: "Account" },
  category_appointments: { fr: "Rendez-vous", en: "Appointments" },
  category_payments: { fr: "Paiements", en: "Payments" },
  category_records: { fr: "Dossier médical", en: "Medical record" },
  channel_in_app: { fr: "Dans l'application", en: "In the app" },
  channel_sms: { fr: "SMS", en: "SMS" },
  channel_email: { fr: "E-mail", en: "E-mail" },
  channel_push: { fr: "Notification du téléphone", en: "Phone notification" },
  not_reachable: { fr: "(pas encore possible)", en: "(not possible yet)" },
  live_on: { fr: "À jour en direct", en: "Live" },
  live_off: { fr: "Reconnexion…", en: "Reconnecting…" },
  dismiss: { fr: "Fermer", en: "Close" },
  nav_doctors: { fr: "Médecins", en: "Doctors", bm: "Dɔgɔtɔrɔw" },
  nav_consultations: { fr: "Consultations", en: "Consultations" },
  nav_record: { fr: "Dossier", en: "Record" },
  nav_notifications: { fr: "Alertes", en: "Alerts" },
  nav_account: { fr: "Compte", en: "Account" },
  refund_sent: {
    fr: "Remboursement de {amount} envoyé le {when}, référence {reference}.",
    en: "Refund of {amount} sent on {when}, reference {reference}.",
  },
  refund_sent_unreferenced: { fr: "Remboursement de {amount} envoyé le {when}.", en: "Refund of {amount} sent on {when}." },
  cancelled_doctor_suspended: {
    fr: "Le médecin ne consulte plus sur Keneya pour le moment : la consultation a été annulée.",
    en: "The doctor no longer consults on Keneya for now: the consultation was cancelled.",
  },
} satisfies Texts;

export type TextKey = keyof typeof TEXTS;

type Values = Record<string, string | number>;

function fill(entry: Text, language: Language, values: Values): string {
  const text = entry[language] ?? entry.fr;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

/** The text `key` in `language`, French when it is not written in that language. */
export function t(key: TextKey, language: Language, values: Values = {}): string {
  return fill(TEXTS[key], language, values);
}

/** The `t` of a part of the app fetched when first opened (the call, the record): its own
 * texts travel with its code, so the first screen does not carry them. */
export function textsWith<M extends Texts>(more: M) {
  return (key: TextKey | (keyof M & string), language: Language, values: Values = {}): string =>
    fill((more as Texts)[key] ?? TEXTS[key as TextKey], language, values);
}

/** The language the browser prefers among ours (French otherwise). */
export function preferredLanguage(languages: readonly string[]): Language {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "fr" || primary === "en" || primary === "bm") return primary;
  }
  return "fr";
}

/** The languages offered, each named in itself. */
export const LANGUAGES: readonly { code: Language; name: string }[] = [
  { code: "fr", name: "Français" },
  { code: "en", name: "English" },
  { code: "bm", name: "Bamanankan" },
];

const LANGUAGE_KEY = "keneya.language";

/** The language this person chose on this phone, if any (kept across visits). */
export function savedLanguage(storage: Pick<Storage, "getItem"> | null): Language | null {
  try {
    const saved = storage?.getItem(LANGUAGE_KEY);
    return saved === "fr" || saved === "en" || saved === "bm" ? saved : null;
  } catch {
    return null; // storage refused (private mode): the browser's language decides
  }
}

export function saveLanguage(storage: Pick<Storage, "setItem"> | null, language: Language): void {
  try {
    storage?.setItem(LANGUAGE_KEY, language);
  } catch {
    // Not remembered; still switched for this visit.
  }
}
