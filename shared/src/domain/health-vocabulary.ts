/**
 * Health facts only in HEALTH fields (docs/access-model.md section 1): a free text a write stores in a field
 * that is not HEALTH (a ticket's description, a claim's loss description) is refused when it names an injury,
 * an illness, a treatment or a stay in hospital, so the HEALTH exceptions of the policy keep protecting them.
 * tests/health-facts.test.ts scans the seeded data with the same words.
 */
const MEDICAL_WORDS: readonly string[] = [
  '骨折',
  '伤',
  '病',
  '住院',
  '入院',
  '出院',
  '门诊',
  '急诊',
  '医院',
  '送医',
  '就医',
  '医疗',
  '手术',
  '诊断',
  '确诊',
  '治疗',
  '缝合',
  '康复',
  // Not 炎 alone: it is also a character of company and given names.
  '阑尾炎',
  '肺炎',
  '胆囊炎',
  '癌',
  '肿瘤',
  '梗死',
  '糖尿',
  'fracture',
  'hospital',
  'injur',
  'illness',
  'medical',
  'diagnos',
  'surgery',
];
/** Compounds that contain a medical word but state nothing about a person: a product kind insured against liability. */
const HARMLESS_COMPOUNDS: readonly string[] = ['医疗器械'];

/** The medical words a text contains (none: it may go into a field that is not HEALTH). */
export function medicalWordsIn(text: string): string[] {
  let cleaned = text.toLowerCase();
  for (const compound of HARMLESS_COMPOUNDS) cleaned = cleaned.split(compound).join('');
  return MEDICAL_WORDS.filter((word) => cleaned.includes(word.toLowerCase()));
}
