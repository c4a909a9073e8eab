// An API problem document (RFC 9457) as sentences a person reads, next to the fields it names.
export interface Problem {
  status?: number;
  title?: string;
  detail?: string;
  request_id?: string;
  errors?: { field: string; message: string; code?: string }[];
}

export interface Shown {
  message: string;
  fields: Record<string, string>;
}

/** What to show for a refused request: one sentence, and a sentence per field named. */
export function shown(problem: Problem | null, fallback: string): Shown {
  if (!problem || typeof problem !== "object") return { message: fallback, fields: {} };
  const fields: Record<string, string> = {};
  for (const error of problem.errors ?? []) {
    const field = error.field.split(".")[0];
    if (!(field in fields)) fields[field] = sentence(error.message);
  }
  return { message: sentence(problem.detail ?? problem.title ?? fallback), fields };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
