// The patient's record (built out in the record screens).
import { t } from "../i18n";
import { session } from "../session";

export function RecordScreen(props: { path: string }) {
  return <section data-path={props.path}><h1>{t("my_record", session.language)}</h1></section>;
}
