// The administrators' screens' texts, fetched with those screens (French always, English, Bambara where written).
import { textsWith, type TextKey as AppTextKey, type Texts } from "../i18n";

export const ADMIN_TEXTS = {
  // -- admin --
  // -- end of admin --
} satisfies Texts;

export type TextKey = AppTextKey | keyof typeof ADMIN_TEXTS;
export const t = textsWith(ADMIN_TEXTS);
