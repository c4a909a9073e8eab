// The patient's record: its screens (screens/record/) and their texts come in a file of their
// own, fetched when the person first opens the record.
import { lazyScreen } from "../lazy";

export const RecordScreen = lazyScreen(() =>
  import("./record/index").then((module) => module.RecordScreens),
);
