import { render } from "preact";
import { App } from "./app";
import "./app.css";

const root = document.getElementById("app")!;
// The "Keneya…" shown while the script loads on a slow network goes when the app starts.
root.textContent = "";
render(<App />, root);

// The app shell and the pages already seen, without a network (public/sw.js).
if ("serviceWorker" in navigator) {
  void navigator.serviceWorker.register("/sw.js").catch(() => undefined);
}
