/** A Malian number as people type it ("76 12 34 56", "0022376123456") in E.164 ("+22376123456");
 * anything else is returned as typed, for the API to name. */
export function e164(raw: string): string {
  const digits = raw.replace(/[\s.()-]/g, "");
  if (/^[5-9]\d{7}$/.test(digits)) return `+223${digits}`;
  if (/^00223\d{8}$/.test(digits)) return `+${digits.slice(2)}`;
  if (/^223\d{8}$/.test(digits)) return `+${digits}`;
  return digits;
}
