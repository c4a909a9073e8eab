// Paths, not hashes: a payment provider sends the payer back to /consultations/<id>/payment.
import { useEffect, useState } from "preact/hooks";

export function navigate(path: string): void {
  history.pushState(null, "", path);
  dispatchEvent(new PopStateEvent("popstate"));
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const changed = () => setPath(location.pathname);
    addEventListener("popstate", changed);
    return () => removeEventListener("popstate", changed);
  }, []);
  return path;
}

/** The parameters of `pattern` ("/doctors/:id") in `path`, or null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.replace(/\/+$/, "").split("/");
  if (want.length !== got.length) return null;
  const found: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) found[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return found;
}

/** Where a person lands once signed in: a doctor's agenda, the administrators' review queue,
 * a patient's search for a doctor. */
export function homeOf(role: string | null): string {
  if (role === "doctor") return "/doctor/agenda";
  if (role === "admin") return "/admin/doctors";
  return "/doctors";
}
