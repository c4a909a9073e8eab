// The record screens, one per path under /record (loaded on demand by screens/Record.tsx).
import { t } from "../../texts/record";
import { screenOf } from "../../record";
import { session } from "../../session";
import { AccessLog } from "./AccessLog";
import { Documents } from "./Documents";
import { Encounters } from "./Encounters";
import { Entries } from "./Entries";
import { Link } from "../../ui";
import { Shares } from "./Shares";
import { Summary } from "./Summary";
import { Vitals } from "./Vitals";

export function RecordScreens(props: { path: string }) {
  const screen = screenOf(props.path);
  switch (screen) {
    case "summary":
      return <Summary />;
    case "encounters":
      return <Encounters />;
    case "allergies":
    case "conditions":
    case "medications":
    case "vaccinations":
      return <Entries key={screen} section={screen} />;
    case "vitals":
      return <Vitals />;
    case "documents":
      return <Documents />;
    case "shares":
      return <Shares />;
    case "access-log":
      return <AccessLog />;
    default:
      return (
        <section class="record">
          <h1>{t("my_record", session.language)}</h1>
          <Link href="/record">{t("rec_back", session.language)}</Link>
        </section>
      );
  }
}
