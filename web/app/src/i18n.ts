// French by default, English on request, Bambara where a text is written (French otherwise).
export type Language = "fr" | "en" | "bm";

type Texts = Record<string, { fr: string; en?: string; bm?: string }>;

export const TEXTS = {
  app: { fr: "Keneya", en: "Keneya" },
  tagline: { fr: "Votre médecin, sur votre téléphone", en: "Your doctor, on your phone", bm: "I ka dɔgɔtɔrɔ, i ka telefɔni kan" },
  sign_in: { fr: "Se connecter", en: "Sign in", bm: "Don" },
  sign_up: { fr: "Créer un compte", en: "Create an account" },
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
  error: { fr: "Une erreur est survenue ; réessayez.", en: "Something went wrong; try again." },
  language: { fr: "English", en: "Français" },
  my_record: { fr: "Mon dossier", en: "My record", bm: "N ka kɛnɛya gafe" },
  // -- record --
  // -- end of record --
  // -- call and notifications --
  // -- end of call and notifications --
} satisfies Texts;

export type TextKey = keyof typeof TEXTS;

/** The text `key` in `language`, French when it is not written in that language. */
export function t(key: TextKey, language: Language, values: Record<string, string | number> = {}): string {
  const entry: { fr: string; en?: string; bm?: string } = TEXTS[key];
  const text = entry[language] ?? entry.fr;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

/** The language the browser prefers among ours (French otherwise). */
export function preferredLanguage(languages: readonly string[]): Language {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "fr" || primary === "en" || primary === "bm") return primary;
  }
  return "fr";
}
