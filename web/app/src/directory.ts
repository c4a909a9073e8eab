// The doctors' directory search as the API takes it: only what the person chose is sent.

export interface DirectoryFilters {
  name: string;
  specialty: string;
  language: string;
  city: string;
  /** The most the person will pay, in FCFA ("" for any). */
  feeMax: string;
}

export const NO_FILTERS: DirectoryFilters = { name: "", specialty: "", language: "", city: "", feeMax: "" };

/** Fee ceilings offered (FCFA): what consultations cost in Mali, in round steps. */
export const FEE_CEILINGS = [3000, 5000, 7500, 10000, 15000, 25000];

export interface DirectoryQuery {
  name?: string;
  specialty?: string;
  language?: string;
  city?: string;
  fee_max?: number;
  cursor?: string;
}

export function directoryQuery(filters: DirectoryFilters, cursor?: string | null): DirectoryQuery {
  const query: DirectoryQuery = {};
  const name = filters.name.trim();
  const city = filters.city.trim();
  if (name) query.name = name;
  if (filters.specialty) query.specialty = filters.specialty;
  if (filters.language) query.language = filters.language;
  if (city) query.city = city;
  const fee = Number.parseInt(filters.feeMax, 10);
  if (Number.isFinite(fee) && fee >= 0) query.fee_max = fee;
  if (cursor) query.cursor = cursor;
  return query;
}

/** How many filters are on, for the "Filtres (2)" label of the folded panel. */
export function activeFilters(filters: DirectoryFilters): number {
  return [filters.specialty, filters.language, filters.city.trim(), filters.feeMax].filter(Boolean).length;
}
