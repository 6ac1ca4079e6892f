/**
 * The region (ISO 3166-1 alpha-2) of a CRM record's address country, so the record's numbers
 * written without a country are read in that country (phone-match.ts). Dynamics keeps
 * `address1_country` as free text, so people write "Germany", "Deutschland", "DE", "USA",
 * "U.S.", "中国". Names come from the platform's CLDR data (`Intl.DisplayNames`, in the
 * languages below) for every region libphonenumber-js has a numbering plan for, plus a small
 * table of what CLDR does not list (alpha-3 codes, common short forms). Pure: no I/O.
 */
import { getCountries, type CountryCode } from 'libphonenumber-js';

/** The languages whose region names are recognised, besides the codes themselves. */
const NAME_LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'zh-Hans', 'zh-Hant', 'ja', 'ko'];

/** Names and codes CLDR's display names do not give. */
const ALIASES: Readonly<Record<string, CountryCode>> = {
  usa: 'US',
  america: 'US',
  'united states of america': 'US',
  uk: 'GB',
  gbr: 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  deu: 'DE',
  brd: 'DE',
  fra: 'FR',
  chn: 'CN',
  prc: 'CN',
  "people's republic of china": 'CN',
  中华人民共和国: 'CN',
  ind: 'IN',
  bra: 'BR',
  brasil: 'BR',
  jpn: 'JP',
  日本国: 'JP',
  can: 'CA',
  aus: 'AU',
  aut: 'AT',
  che: 'CH',
  schweiz: 'CH',
  suisse: 'CH',
  esp: 'ES',
  ita: 'IT',
  nld: 'NL',
  holland: 'NL',
};

let byName: Map<string, CountryCode> | undefined;

/** The region `country` names, or undefined when it names none (empty, unknown, ambiguous text). */
export function regionOfCountry(country: string | undefined): CountryCode | undefined {
  if (country === undefined) return undefined;
  const key = nameKey(country);
  if (key === '') return undefined;
  byName ??= namesToRegions();
  return byName.get(key);
}

/** Case, width, dots and extra spaces do not matter: "U.S.A." = "usa", "ＤＥ" = "de". */
function nameKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\./g, '').replace(/\s+/g, ' ').trim();
}

function namesToRegions(): Map<string, CountryCode> {
  const names = new Map<string, CountryCode>();
  for (const region of getCountries()) names.set(region.toLowerCase(), region);
  for (const language of NAME_LANGUAGES) {
    const display = new Intl.DisplayNames([language], { type: 'region', fallback: 'none' });
    for (const region of getCountries()) {
      const name = display.of(region);
      if (name !== undefined && !names.has(nameKey(name))) names.set(nameKey(name), region);
    }
  }
  for (const [alias, region] of Object.entries(ALIASES)) names.set(nameKey(alias), region);
  return names;
}
