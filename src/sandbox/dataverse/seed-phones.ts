/**
 * Phone numbers for the sandbox seed, in the eight countries the seed covers, written the ways
 * people type them into Dynamics (docs/dataverse.md §3: phone fields are free text): separators of
 * every kind, national trunk prefixes (`030`, `(0)20`), `00` and `011` international prefixes,
 * E.164 pasted whole, digits run together, extensions (`x140`, `ext. 12`) and, in Japan, the
 * occasional full-width digits from a Japanese input method.
 *
 * Where a regulator reserves numbers for fiction they are used: US 555-0100…0199
 * (https://nationalnanpa.com/), UK drama numbers (Ofcom: 020 7946 0xxx, 0161 496 0xxx,
 * 07700 900xxx, …), and in France the blocks commonly cited as ARCEP's numbers for audiovisual
 * works (01 99 00 xx xx, 06 39 98 xx xx, …; not checked against the numbering plan itself).
 * Other countries have none; those numbers are random in a plausible shape.
 */
import type { SeedRandom } from './seed-random.ts';

export type Country = 'US' | 'GB' | 'DE' | 'FR' | 'CN' | 'IN' | 'BR' | 'JP';

export const COUNTRIES: readonly Country[] = ['US', 'GB', 'DE', 'FR', 'CN', 'IN', 'BR', 'JP'];

export interface PhoneNumber {
  country: Country;
  /** Area code or mobile prefix, without the trunk prefix ("20", "30", "138"). */
  area: string;
  /** The subscriber part. */
  line: string;
}

/** A city and its area code; `line` makes a subscriber number there. */
export interface Place {
  country: Country;
  city: string;
  area: string;
  line: (random: SeedRandom) => string;
}

const COUNTRY_CODES: Record<Country, string> = { US: '1', GB: '44', DE: '49', FR: '33', CN: '86', IN: '91', BR: '55', JP: '81' };

const fiction = (prefix: string) => (random: SeedRandom) => prefix + random.digits(3);
const digitsFrom = (first: string, rest: number) => (random: SeedRandom) => random.pick([...first]) + random.digits(rest);
const place = (country: Country, city: string, area: string, line: (random: SeedRandom) => string): Place => ({ country, city, area, line });
const us = (city: string, area: string) => place('US', city, area, (random) => `55501${random.digits(2)}`);
const gb = (city: string, area: string, prefix: string) => place('GB', city, area, fiction(prefix));
const fr = (city: string, area: string, prefix: string) => place('FR', city, area, (random) => prefix + random.digits(4));

export const PLACES: Record<Country, readonly Place[]> = {
  US: [
    us('San Francisco', '415'),
    us('New York', '212'),
    us('New York', '646'),
    us('Seattle', '206'),
    us('Chicago', '312'),
    us('Boston', '617'),
    us('Dallas', '214'),
    us('Hartford', '860'),
  ],
  GB: [
    gb('London', '20', '79460'),
    gb('Manchester', '161', '4960'),
    gb('Birmingham', '121', '4960'),
    gb('Leeds', '113', '4960'),
    gb('Edinburgh', '131', '4960'),
    gb('Bristol', '117', '4960'),
  ],
  DE: [
    place('DE', 'Berlin', '30', digitsFrom('23456789', 7)),
    place('DE', 'München', '89', digitsFrom('2345689', 7)),
    place('DE', 'Hamburg', '40', digitsFrom('2345678', 7)),
    place('DE', 'Frankfurt am Main', '69', digitsFrom('234579', 7)),
    place('DE', 'Köln', '221', digitsFrom('2345689', 6)),
    place('DE', 'Stuttgart', '711', digitsFrom('2345689', 6)),
  ],
  FR: [fr('Paris', '1', '9900'), fr('Nantes', '2', '6191'), fr('Lille', '3', '5301'), fr('Lyon', '4', '6571'), fr('Marseille', '4', '6571'), fr('Bordeaux', '5', '3649')],
  CN: [
    place('CN', '北京', '10', digitsFrom('568', 7)),
    place('CN', '上海', '21', digitsFrom('56', 7)),
    place('CN', '深圳', '755', digitsFrom('28', 7)),
    place('CN', '广州', '20', digitsFrom('38', 7)),
    place('CN', '杭州', '571', digitsFrom('58', 7)),
    place('CN', '成都', '28', digitsFrom('68', 7)),
    place('CN', '苏州', '512', digitsFrom('56', 7)),
  ],
  IN: [
    place('IN', 'Mumbai', '22', digitsFrom('2346', 7)),
    place('IN', 'New Delhi', '11', digitsFrom('2346', 7)),
    place('IN', 'Bengaluru', '80', digitsFrom('2346', 7)),
    place('IN', 'Chennai', '44', digitsFrom('24', 7)),
    place('IN', 'Hyderabad', '40', digitsFrom('24', 7)),
    place('IN', 'Pune', '20', digitsFrom('2467', 7)),
  ],
  BR: [
    place('BR', 'São Paulo', '11', digitsFrom('2345', 7)),
    place('BR', 'Rio de Janeiro', '21', digitsFrom('23', 7)),
    place('BR', 'Belo Horizonte', '31', digitsFrom('23', 7)),
    place('BR', 'Curitiba', '41', digitsFrom('23', 7)),
    place('BR', 'Porto Alegre', '51', digitsFrom('23', 7)),
    place('BR', 'Recife', '81', digitsFrom('23', 7)),
  ],
  JP: [
    place('JP', '東京', '3', digitsFrom('3456', 7)),
    place('JP', '大阪', '6', digitsFrom('46', 7)),
    place('JP', '横浜', '45', digitsFrom('2345', 6)),
    place('JP', '名古屋', '52', digitsFrom('2345', 6)),
    place('JP', '福岡', '92', digitsFrom('2347', 6)),
  ],
};

/** A mobile number in `country`; Brazil's mobiles carry the area code of `home`. */
function mobileNumber(random: SeedRandom, country: Country, home: Place): PhoneNumber {
  switch (country) {
    case 'US':
      return { country, area: random.pick(['415', '646', '619', '917', '206']), line: `55501${random.digits(2)}` };
    case 'GB':
      return { country, area: '7700', line: `900${random.digits(3)}` };
    case 'DE': {
      const area = random.pick(['151', '152', '157', '160', '170', '171', '176', '177']);
      return { country, area, line: random.digits(area.startsWith('15') ? 8 : 7) };
    }
    case 'FR':
      return { country, area: '6', line: `3998${random.digits(4)}` };
    case 'CN':
      return { country, area: random.pick(['135', '138', '139', '150', '158', '186', '189']), line: random.digits(8) };
    case 'IN':
      return { country, area: random.pick(['9', '8', '7']) + random.digits(4), line: random.digits(5) };
    case 'BR':
      return { country, area: home.area, line: `9${random.pick(['6', '7', '8', '9'])}${random.digits(7)}` };
    case 'JP':
      return { country, area: random.pick(['90', '80', '70']), line: random.pick(['1', '2', '3', '4', '5', '6', '7', '8']) + random.digits(7) };
  }
}

/**
 * Hands out numbers nobody in the seed has yet, so only the deliberately shared numbers are
 * shared. Keys are E.164 ("+14155550100").
 */
export class NumberRegistry {
  private readonly used = new Set<string>();

  claim(e164: string): void {
    this.used.add(e164);
  }

  landline(random: SeedRandom, at: Place): PhoneNumber {
    return this.fresh(() => ({ country: at.country, area: at.area, line: at.line(random) }));
  }

  mobile(random: SeedRandom, country: Country, home: Place): PhoneNumber {
    return this.fresh(() => mobileNumber(random, country, home));
  }

  private fresh(make: () => PhoneNumber): PhoneNumber {
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      const number = make();
      const key = e164(number);
      if (!this.used.has(key)) {
        this.used.add(key);
        return number;
      }
    }
    throw new Error('seed: ran out of phone numbers');
  }
}

export function e164(number: PhoneNumber): string {
  return `+${COUNTRY_CODES[number.country]}${number.area}${number.line}`;
}

/** Splits a subscriber number into the groups people write it in. */
function groups(number: PhoneNumber): string[] {
  const { line } = number;
  const split = (...sizes: number[]) => {
    const parts: string[] = [];
    let at = 0;
    for (const size of sizes) {
      parts.push(line.slice(at, at + size));
      at += size;
    }
    if (at < line.length) parts.push(line.slice(at));
    return parts.filter((part) => part !== '');
  };
  switch (number.country) {
    case 'US':
      return split(3, 4);
    case 'GB':
      return line.length === 6 ? [line] : line.length === 7 ? split(3, 4) : split(4, 4);
    case 'DE':
      return line.length > 6 ? split(line.length - 4, 4) : split(3, 3);
    case 'FR':
      return split(2, 2, 2, 2);
    case 'BR':
      return line.length === 9 ? split(5, 4) : split(4, 4);
    case 'IN':
      return line.length === 5 ? [line] : split(4, 4);
    case 'CN':
      return split(4, 4);
    case 'JP':
      return line.length === 7 ? split(3, 4) : split(4, 4);
  }
}

type Style = (n: PhoneNumber, g: string[]) => string;
/** A style and how often people use it, relative to the country's other styles. */
type Weighted = [Style, number];

const run = (g: string[]) => g.join('');
const INTERNATIONAL: Style = (n, g) => `+${COUNTRY_CODES[n.country]} ${n.area} ${g.join(' ')}`;
const PASTED_E164: Style = (n) => e164(n);
const DOUBLE_ZERO: Style = (n, g) => `00${COUNTRY_CODES[n.country]} ${n.area} ${g.join(' ')}`;

const STYLES: Record<Country, readonly Weighted[]> = {
  US: [
    [(n, g) => `(${n.area}) ${g.join('-')}`, 5],
    [(n, g) => `${n.area}-${g.join('-')}`, 4],
    [(n, g) => `${n.area}.${g.join('.')}`, 2],
    [(n, g) => `+1 (${n.area}) ${g.join('-')}`, 3],
    [INTERNATIONAL, 2],
    [(n, g) => `1-${n.area}-${g.join('-')}`, 1],
    [(n, g) => `${n.area}${run(g)}`, 1],
    [PASTED_E164, 1],
  ],
  GB: [
    [(n, g) => `0${n.area} ${g.join(' ')}`, 6],
    [INTERNATIONAL, 3],
    [(n, g) => `+44 (0)${n.area} ${g.join(' ')}`, 2],
    [(n, g) => `(0${n.area}) ${g.join(' ')}`, 1],
    [DOUBLE_ZERO, 1],
    [PASTED_E164, 1],
  ],
  DE: [
    [(n, g) => `0${n.area} ${run(g)}`, 4],
    [(n, g) => `0${n.area}/${run(g)}`, 2],
    [(n, g) => `0${n.area} ${g.join(' ')}`, 2],
    [(n, g) => `+49 ${n.area} ${run(g)}`, 3],
    [(n, g) => `+49 (0)${n.area} ${g.join(' ')}`, 2],
    [(n, g) => `0049 ${n.area} ${run(g)}`, 1],
    [(n) => `(0${n.area}) ${n.line.slice(0, -2)}-${n.line.slice(-2)}`, 1],
  ],
  FR: [
    [(n, g) => `0${n.area} ${g.join(' ')}`, 6],
    [(n, g) => `0${n.area}.${g.join('.')}`, 2],
    [(n, g) => `+33 ${n.area} ${g.join(' ')}`, 3],
    [(n, g) => `+33 (0)${n.area} ${g.join(' ')}`, 2],
    [(n, g) => `0033 ${n.area} ${g.join(' ')}`, 1],
    [(n, g) => `0${n.area}${run(g)}`, 1],
  ],
  CN: [
    [(n, g) => (isCnMobile(n) ? `${n.area} ${g.join(' ')}` : `0${n.area}-${run(g)}`), 5],
    [(n, g) => (isCnMobile(n) ? `${n.area}${run(g)}` : `(0${n.area}) ${g.join(' ')}`), 3],
    [(n, g) => (isCnMobile(n) ? `${n.area}-${g.join('-')}` : `0${n.area}-${g.join(' ')}`), 2],
    [INTERNATIONAL, 3],
    [(n, g) => `+86-${n.area}-${g.join('-')}`, 1],
    [(n, g) => `0086 ${n.area} ${run(g)}`, 1],
  ],
  IN: [
    [(n, g) => (n.line.length === 5 ? `+91 ${n.area} ${n.line}` : `+91-${n.area}-${g.join('-')}`), 4],
    [(n, g) => `0${n.area} ${g.join(' ')}`, 3],
    [(n, g) => (n.line.length === 5 ? `${n.area}${n.line}` : `0${n.area}-${run(g)}`), 2],
    [(n, g) => `+91 ${n.area}${run(g)}`, 1],
    [(n, g) => `0091 ${n.area} ${g.join(' ')}`, 1],
  ],
  BR: [
    [(n, g) => `(${n.area}) ${g.join('-')}`, 5],
    [(n, g) => `+55 ${n.area} ${g.join('-')}`, 3],
    [(n, g) => `+55 (${n.area}) ${g.join('-')}`, 2],
    [(n, g) => `0${n.area} ${g.join('-')}`, 1],
    // Domestic long distance through a carrier: 0 + carrier code (21) + area.
    [(n, g) => `0 21 ${n.area} ${g.join('-')}`, 1],
    [(n, g) => `${n.area} ${run(g)}`, 1],
  ],
  JP: [
    [(n, g) => `0${n.area}-${g.join('-')}`, 7],
    [(n, g) => `+81 ${n.area}-${g.join('-')}`, 2],
    [(n, g) => `+81 ${n.area} ${g.join(' ')}`, 1],
    [(n, g) => `(0${n.area}) ${g.join('-')}`, 1],
    [(n, g) => `0${n.area}${run(g)}`, 1],
    [(n, g) => fullWidth(`0${n.area}-${g.join('-')}`), 1],
  ],
};

function isCnMobile(number: PhoneNumber): boolean {
  return number.area.length === 3 && number.area.startsWith('1');
}

/** Digits and hyphens as a Japanese input method types them (U+FF10…, U+FF0D). */
function fullWidth(text: string): string {
  return text.replace(/[0-9-]/g, (c) => (c === '-' ? '\uff0d' : String.fromCharCode(0xff10 + Number(c))));
}

/** The number as someone in its own country would type it, in a style picked by weight. */
export function typed(random: SeedRandom, number: PhoneNumber): string {
  const styles = STYLES[number.country];
  let roll = random.next() * styles.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [style, weight] of styles) {
    roll -= weight;
    if (roll < 0) return style(number, groups(number));
  }
  const [last] = styles.at(-1) ?? [];
  if (last === undefined) throw new Error(`no number style for ${number.country}`);
  return last(number, groups(number));
}

/** The number as typed by someone in the US, with the NANP international prefix 011. */
export function typedFromUS(number: PhoneNumber): string {
  return `011 ${COUNTRY_CODES[number.country]} ${number.area} ${groups(number).join(' ')}`;
}

/** A direct-dial extension after an office number ("x140", "ext. 12"). */
export function withExtension(random: SeedRandom, text: string): string {
  const extension = String(random.int(10, 499));
  return random.pick([`${text} x${extension}`, `${text} ext. ${extension}`, `${text} ext ${extension}`, `${text} x${extension}`]);
}
