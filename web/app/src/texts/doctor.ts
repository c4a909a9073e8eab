// The doctors' screens' texts, fetched with those screens (French always, English, Bambara where written).
import { textsWith, type TextKey as AppTextKey, type Texts } from "../i18n";

export const DOCTOR_TEXTS = {
  // -- profile and availability --
  // -- end of profile and availability --
  // -- agenda and consultations --
  // -- end of agenda and consultations --
} satisfies Texts;

export type TextKey = AppTextKey | keyof typeof DOCTOR_TEXTS;
export const t = textsWith(DOCTOR_TEXTS);
