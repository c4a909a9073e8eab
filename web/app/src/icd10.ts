// ICD-10 diagnoses a doctor finds by code or by words. The list is the conditions most seen in
// teleconsultation in Mali (WHO ICD-10 codes, French labels as the WHO's French edition words
// them); any other valid code can still be typed with its own label.

export interface Diagnosis {
  code: string;
  label: string;
}

export const COMMON_DIAGNOSES: readonly Diagnosis[] = [
  { code: "A01.0", label: "Fièvre typhoïde" },
  { code: "A06.9", label: "Amibiase, sans précision" },
  { code: "A09", label: "Diarrhée et gastro-entérite d'origine présumée infectieuse" },
  { code: "A15.9", label: "Tuberculose respiratoire, avec confirmation" },
  { code: "A90", label: "Dengue [dengue classique]" },
  { code: "B05.9", label: "Rougeole sans complication" },
  { code: "B20", label: "Maladie par VIH à l'origine de maladies infectieuses" },
  { code: "B35.4", label: "Dermatophytose de la peau glabre (teigne)" },
  { code: "B50.9", label: "Paludisme à Plasmodium falciparum, sans précision" },
  { code: "B54", label: "Paludisme, sans précision" },
  { code: "B65.9", label: "Schistosomiase (bilharziose), sans précision" },
  { code: "B82.9", label: "Parasitose intestinale, sans précision" },
  { code: "B86", label: "Gale" },
  { code: "D50.9", label: "Anémie par carence en fer, sans précision" },
  { code: "D57.1", label: "Anémie à hématies falciformes (drépanocytose) sans crise" },
  { code: "D64.9", label: "Anémie, sans précision" },
  { code: "E11.9", label: "Diabète sucré de type 2, sans complication" },
  { code: "E14.9", label: "Diabète sucré, sans précision, sans complication" },
  { code: "E44.0", label: "Malnutrition protéino-énergétique modérée" },
  { code: "E66.9", label: "Obésité, sans précision" },
  { code: "F32.9", label: "Épisode dépressif, sans précision" },
  { code: "F41.1", label: "Anxiété généralisée" },
  { code: "G40.9", label: "Épilepsie, sans précision" },
  { code: "G43.9", label: "Migraine, sans précision" },
  { code: "H10.9", label: "Conjonctivite, sans précision" },
  { code: "H66.9", label: "Otite moyenne, sans précision" },
  { code: "I10", label: "Hypertension essentielle (primitive)" },
  { code: "I50.9", label: "Insuffisance cardiaque, sans précision" },
  { code: "J00", label: "Rhinopharyngite aiguë (rhume banal)" },
  { code: "J02.9", label: "Pharyngite aiguë, sans précision" },
  { code: "J03.9", label: "Amygdalite aiguë, sans précision" },
  { code: "J06.9", label: "Infection aiguë des voies respiratoires supérieures, sans précision" },
  { code: "J11.1", label: "Grippe avec d'autres manifestations respiratoires" },
  { code: "J18.9", label: "Pneumopathie, sans précision" },
  { code: "J20.9", label: "Bronchite aiguë, sans précision" },
  { code: "J45.9", label: "Asthme, sans précision" },
  { code: "K21.9", label: "Reflux gastro-œsophagien sans œsophagite" },
  { code: "K29.7", label: "Gastrite, sans précision" },
  { code: "K59.0", label: "Constipation" },
  { code: "L20.9", label: "Dermite atopique (eczéma), sans précision" },
  { code: "L30.9", label: "Dermite, sans précision" },
  { code: "M54.5", label: "Lombalgie basse" },
  { code: "M79.1", label: "Myalgie" },
  { code: "N39.0", label: "Infection des voies urinaires, siège non précisé" },
  { code: "N76.0", label: "Vaginite aiguë" },
  { code: "O21.0", label: "Hyperémèse gravidique bénigne" },
  { code: "R05", label: "Toux" },
  { code: "R10.4", label: "Douleurs abdominales, autres et non précisées" },
  { code: "R50.9", label: "Fièvre, sans précision" },
  { code: "R51", label: "Céphalée" },
  { code: "T78.4", label: "Allergie, sans précision" },
  { code: "Z00.0", label: "Examen médical général" },
  { code: "Z34.9", label: "Surveillance d'une grossesse normale, sans précision" },
];

/** What ICD-10 codes look like: a letter, two digits, then an optional subdivision. */
export const ICD10_CODE = /^[A-Z]\d{2}(\.\d{1,2})?$/;

function plain(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

/** The diagnoses whose code starts with the query, or whose label holds each of its words
 * (accents and case ignored: "palu", "B5", "infection urin"). */
export function searchDiagnoses(query: string, limit = 8): Diagnosis[] {
  const wanted = plain(query.trim());
  if (wanted.length < 2) return [];
  const code = wanted.toUpperCase().replace(/\s+/g, "");
  const words = wanted.split(/\s+/);
  return COMMON_DIAGNOSES.filter(
    (d) => d.code.startsWith(code) || words.every((word) => plain(d.label).includes(word)),
  ).slice(0, limit);
}
