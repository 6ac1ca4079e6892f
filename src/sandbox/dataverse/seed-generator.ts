/**
 * Generates the bulk of the sandbox seed from a fixed PRNG seed: 50 accounts, contacts and leads
 * up to 200 and 50, and a history of phone calls, across the eight seed countries. What makes it
 * look like a real CRM rather than a list:
 * - contacts mostly work at an account in their country and carry its e-mail domain;
 * - numbers are typed the ways people type them (seed-phones.ts), one country's way per record,
 *   except a few branch contacts of US companies typed from the US (`011 …`);
 * - some numbers are deliberately shared by two records, typed differently each time: a contact
 *   reached on the company's main line, two colleagues on one desk line, a lead that is a
 *   duplicate of a contact (same mobile); and some contacts dial in through the switchboard with
 *   an extension;
 * - some records have only a mobile, a few have no number at all.
 */
import type { SeedData, SeedRecord } from './seed-data.ts';
import { accountId, contactId, leadId, phonecallId, SEED } from './seed-ids.ts';
import {
  CHINESE_ENGLISH_NAMES,
  CHINESE_FAMILY,
  CHINESE_GIVEN,
  COMPANIES,
  FAMILY_NAMES,
  GIVEN_NAMES,
  JAPANESE_FAMILY,
  JAPANESE_GIVEN,
  JOB_TITLES,
  LEAD_SUBJECTS,
  PROSPECTS,
  type CompanyName,
} from './seed-names.ts';
import { COUNTRIES, type NumberRegistry, PLACES, typed, typedFromUS, withExtension, type Country, type PhoneNumber, type Place } from './seed-phones.ts';
import type { SeedRandom } from './seed-random.ts';

export const COUNTRY_NAMES: Record<Country, string> = {
  US: 'United States',
  GB: 'United Kingdom',
  DE: 'Germany',
  FR: 'France',
  CN: 'China',
  IN: 'India',
  BR: 'Brazil',
  JP: 'Japan',
};

/** Generated contacts and leads per country (the named seed records come on top). */
const CONTACTS_PER_COUNTRY: Record<Country, number> = { US: 38, GB: 23, DE: 24, FR: 20, CN: 29, IN: 20, BR: 20, JP: 20 };
const LEADS_PER_COUNTRY: Record<Country, number> = { US: 8, GB: 6, DE: 6, FR: 6, CN: 8, IN: 5, BR: 5, JP: 5 };
const GENERATED_CALLS = 25;

type Language = keyof typeof JOB_TITLES;

interface Person {
  firstname: string | null;
  lastname: string;
  /** E-mail local part. */
  local: string;
  language: Language;
}

/** A number as one record stores it. */
interface Typed {
  number: PhoneNumber;
  text: string;
}

export interface AccountSeed {
  id: string;
  company: CompanyName;
  place: Place;
  main: Typed;
  /** This account's main line will also be a contact's telephone1. */
  shareMain: boolean;
  record: SeedRecord;
}

interface PersonSeed {
  id: string;
  kind: 'contact' | 'lead';
  country: Country;
  person: Person;
  account?: AccountSeed;
  mobile?: Typed;
  record: SeedRecord;
}

export class SeedGenerator {
  private readonly random: SeedRandom;
  private readonly numbers: NumberRegistry;

  constructor(random: SeedRandom, numbers: NumberRegistry) {
    this.random = random;
    this.numbers = numbers;
  }

  /** Accounts 1…50; Contoso's main line is fixed because named records and calls use it. */
  accounts(contosoMain: Typed): AccountSeed[] {
    return COMPANIES.map((company, i) => {
      const place = placeIn(company.country, company.city);
      const main = i === 0 ? contosoMain : this.typed(this.numbers.landline(this.random, place));
      const record: SeedRecord = {
        accountid: accountId(i + 1),
        name: company.name,
        accountnumber: `ACC-${1000 + i}`,
        telephone1: main.text,
        telephone2: this.random.chance(0.25) ? this.typed(this.numbers.landline(this.random, place)).text : null,
        emailaddress1: `${INFO_MAILBOX[company.country]}@${company.domain}`,
        address1_city: company.city,
        address1_country: COUNTRY_NAMES[company.country],
      };
      return { id: accountId(i + 1), company, place, main, shareMain: i % 4 === 1, record };
    });
  }

  /** Contacts numbered from `firstNumber`, per CONTACTS_PER_COUNTRY. */
  contacts(accounts: readonly AccountSeed[], firstNumber: number): PersonSeed[] {
    const contacts: PersonSeed[] = [];
    const mainShared = new Set<string>();
    const deskLines = new Map<string, Typed>();
    let deskPairs = 0;
    let abroad = 0;
    for (const country of interleaved(CONTACTS_PER_COUNTRY)) {
      const person = this.person(country);
      let account: AccountSeed | undefined = this.random.chance(0.8) ? this.random.pick(accounts.filter((a) => a.company.country === country)) : undefined;
      const branchOfUsCompany = country !== 'US' && ++abroad % 25 === 12;
      if (branchOfUsCompany) account = this.random.pick(accounts.filter((a) => a.company.country === 'US'));
      const place = account && account.company.country === country ? account.place : this.random.pick(PLACES[country]);
      const id = contactId(firstNumber + contacts.length);
      const record: SeedRecord = { contactid: id, firstname: person.firstname, lastname: person.lastname };
      const seed: PersonSeed = { id, kind: 'contact', country, person, account, record };

      const roll = this.random.next();
      if (roll >= 0.04 && roll < 0.22) {
        seed.mobile = this.typed(this.numbers.mobile(this.random, country, place));
      } else if (roll >= 0.22) {
        if (branchOfUsCompany) {
          record.telephone1 = typedFromUS(this.numbers.landline(this.random, place));
        } else if (account?.shareMain && !mainShared.has(account.id)) {
          mainShared.add(account.id);
          record.telephone1 = this.retyped(account.main).text;
        } else if (account && this.random.chance(0.15)) {
          record.telephone1 = withExtension(this.random, this.typed(account.main.number).text);
        } else {
          const desk = account ? deskLines.get(account.id) : undefined;
          if (account && desk && deskPairs < 5 && this.random.chance(0.3)) {
            deskPairs += 1;
            deskLines.delete(account.id);
            record.telephone1 = this.retyped(desk).text;
          } else {
            const office = this.typed(this.numbers.landline(this.random, place));
            record.telephone1 = office.text;
            if (account) deskLines.set(account.id, office);
          }
        }
        if (this.random.chance(0.55)) seed.mobile = this.typed(this.numbers.mobile(this.random, country, place));
      }
      if (seed.mobile) record.mobilephone = seed.mobile.text;
      if (roll >= 0.22 && this.random.chance(0.1)) record.telephone2 = this.typed(this.numbers.landline(this.random, place)).text;
      if (this.random.chance(0.07)) record.address1_telephone1 = this.typed(this.numbers.landline(this.random, this.random.pick(PLACES[country]))).text;
      if (account && this.random.chance(0.04)) record.assistantphone = this.typed(this.numbers.landline(this.random, place)).text;

      if (account ? this.random.chance(0.85) : this.random.chance(0.4)) record.jobtitle = this.jobTitle(person.language);
      if (account) record.emailaddress1 = `${person.local}@${account.company.domain}`;
      else if (this.random.chance(0.7)) record.emailaddress1 = `${person.local}${this.random.int(1, 99)}@${this.random.pick(PRIVATE_MAIL)}`;
      record.address1_city = place.city;
      record.address1_country = COUNTRY_NAMES[country];
      if (account) record['parentcustomerid_account@odata.bind'] = `/accounts(${account.id})`;
      contacts.push(seed);
    }
    return contacts;
  }

  /** Leads numbered from `firstNumber`; every tenth is a duplicate of a contact (same person, same mobile). */
  leads(accounts: readonly AccountSeed[], contacts: readonly PersonSeed[], firstNumber: number): PersonSeed[] {
    const leads: PersonSeed[] = [];
    const duplicated = new Set<string>();
    for (const country of interleaved(LEADS_PER_COUNTRY)) {
      const id = leadId(firstNumber + leads.length);
      const candidates = contacts.filter((c) => c.country === country && c.mobile && !duplicated.has(c.id));
      const original = leads.length % 10 === 4 && candidates.length > 0 ? this.random.pick(candidates) : undefined;
      const person = original?.person ?? this.person(country);
      const prospects = PROSPECTS.filter((p) => p.country === country);
      const company =
        original?.account?.company ?? (this.random.chance(0.8) ? this.random.pick(prospects) : this.random.pick(accounts.filter((a) => a.company.country === country)).company);
      const place = PLACES[country].find((p) => p.city === company.city) ?? this.random.pick(PLACES[country]);
      const template = this.random.pick(LEAD_SUBJECTS[person.language]);
      const record: SeedRecord = {
        leadid: id,
        subject: template.replace('{n}', String(this.random.pick([10, 15, 20, 25, 40, 50, 80, 120, 200]))),
        firstname: person.firstname,
        lastname: person.lastname,
        companyname: company.name,
        emailaddress1: `${person.local}@${company.domain}`,
      };
      const seed: PersonSeed = { id, kind: 'lead', country, person, record };
      if (original?.mobile) {
        duplicated.add(original.id);
        seed.mobile = this.retyped(original.mobile);
      } else if (this.random.chance(0.35)) {
        seed.mobile = this.typed(this.numbers.mobile(this.random, country, place));
      } else {
        record.telephone1 = this.typed(this.numbers.landline(this.random, place)).text;
        if (this.random.chance(0.45)) seed.mobile = this.typed(this.numbers.mobile(this.random, country, place));
      }
      if (seed.mobile) record.mobilephone = seed.mobile.text;
      leads.push(seed);
    }
    return leads;
  }

  /** Past calls (mostly completed, a few missed, a few callbacks still open) with parties and regarding. */
  phonecalls(accounts: readonly AccountSeed[], people: readonly PersonSeed[], firstNumber: number): SeedData['phonecalls'] {
    const calls: SeedData['phonecalls'] = [];
    const reachable = people.filter((p) => typeof p.record.telephone1 === 'string' || p.mobile);
    for (let i = 0; i < GENERATED_CALLS; i += 1) {
      const roll = this.random.next();
      const target = roll < 0.85 ? this.personTarget(this.random.pick(reachable)) : this.accountTarget(this.random.pick(accounts));
      const chinese = target.language === 'zh';
      const agent = chinese ? SEED.agentChinese : this.random.chance(0.1) ? SEED.supervisor : SEED.agentEnglish;
      const state = this.random.next();
      const missed = state < 0.08;
      const open = !missed && state < 0.14;
      const inbound = missed || (!open && this.random.chance(0.55));
      const start = new Date(Date.UTC(2024, 1, 1) + this.random.int(0, 150) * 86_400_000 + this.random.int(7 * 60, 18 * 60) * 60_000);
      const minutes = missed ? 0 : this.random.int(1, 25);
      const subject = chinese ? `${inbound ? '来电' : '外呼'} ${target.name}` : inbound ? `Inbound call from ${target.name}` : `Outbound call to ${target.name}`;
      const create: SeedRecord = {
        activityid: phonecallId(firstNumber + i),
        subject: open ? `Call back ${target.name}` : missed ? `Missed call from ${target.name}` : subject,
        phonenumber: target.number,
        directioncode: !inbound,
        [`regardingobjectid_${target.kind}_phonecall@odata.bind`]: target.bind,
        'ownerid@odata.bind': `/systemusers(${agent})`,
        phonecall_activity_parties: [
          { [`partyid_${target.kind}@odata.bind`]: target.bind, participationtypemask: inbound ? 1 : 2 },
          { 'partyid_systemuser@odata.bind': `/systemusers(${agent})`, participationtypemask: inbound ? 2 : 1 },
        ],
      };
      if (open) {
        const due = new Date(Date.UTC(2030, 0, 7) + this.random.int(0, 60) * 86_400_000 + this.random.int(8, 16) * 3_600_000);
        create.scheduledstart = due.toISOString();
        create.scheduledend = new Date(due.getTime() + 15 * 60_000).toISOString();
      } else {
        create.actualstart = start.toISOString();
        create.actualend = new Date(start.getTime() + minutes * 60_000 + this.random.int(0, 59) * 1000).toISOString();
        create.actualdurationminutes = minutes;
        if (!missed && this.random.chance(0.5)) create.description = this.random.pick(CALL_NOTES[chinese ? 'zh' : 'en']);
      }
      const complete = open ? undefined : missed ? { statecode: 2, statuscode: 3 } : { statecode: 1, statuscode: inbound ? 4 : 2 };
      calls.push(complete ? { create, complete } : { create });
    }
    return calls;
  }

  private personTarget(seed: PersonSeed) {
    const office = typeof seed.record.telephone1 === 'string' ? seed.record.telephone1 : undefined;
    const number = office !== undefined && (!seed.mobile || this.random.chance(0.6)) ? office : (seed.mobile?.text ?? '');
    const name = [seed.person.firstname, seed.person.lastname].filter((part) => part).join(' ');
    return { kind: seed.kind, bind: `/${seed.kind}s(${seed.id})`, number, name, language: seed.person.language };
  }

  private accountTarget(account: AccountSeed) {
    const language: Language = account.company.country === 'CN' ? 'zh' : 'en';
    return { kind: 'account' as const, bind: `/accounts(${account.id})`, number: account.main.text, name: account.company.name, language };
  }

  private person(country: Country): Person {
    const r = this.random;
    if (country === 'CN') {
      const [family, familyPinyin] = r.pick(CHINESE_FAMILY);
      const [given, givenPinyin] = r.pick(CHINESE_GIVEN);
      const roll = r.next();
      // Typed whole into lastname (the field a form requires), so fullname reads 王伟, not 伟 王.
      if (roll < 0.65) return { firstname: null, lastname: `${family}${given}`, local: `${givenPinyin}.${familyPinyin}`, language: 'zh' };
      const first = roll < 0.85 ? capitalize(givenPinyin) : r.pick(CHINESE_ENGLISH_NAMES);
      return { firstname: first, lastname: capitalize(familyPinyin), local: `${fold(first)}.${familyPinyin}`, language: 'en' };
    }
    if (country === 'JP') {
      const [family, familyRomaji] = r.pick(JAPANESE_FAMILY);
      const [given, givenRomaji] = r.pick(JAPANESE_GIVEN);
      if (r.chance(0.65)) return { firstname: null, lastname: `${family} ${given}`, local: `${familyRomaji}.${givenRomaji}`, language: 'ja' };
      return { firstname: capitalize(givenRomaji), lastname: capitalize(familyRomaji), local: `${givenRomaji}.${familyRomaji}`, language: 'en' };
    }
    const firstname = r.pick(GIVEN_NAMES[country]);
    const lastname = r.pick(FAMILY_NAMES[country]);
    const initialOnly = (country === 'DE' || country === 'FR') && r.chance(0.3);
    const local = initialOnly ? `${fold(firstname)[0]}.${fold(lastname)}` : `${fold(firstname)}.${fold(lastname)}`;
    const native: Partial<Record<Country, Language>> = { DE: 'de', FR: 'fr', BR: 'pt' };
    const language = native[country] !== undefined && r.chance(0.7) ? (native[country] as Language) : 'en';
    return { firstname, lastname, local, language };
  }

  private jobTitle(language: Language): string {
    return this.random.pick(JOB_TITLES[language]);
  }

  private typed(number: PhoneNumber): Typed {
    return { number, text: typed(this.random, number) };
  }

  /** The same number typed another way, as a second record would have it. */
  private retyped(original: Typed): Typed {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const again = this.typed(original.number);
      if (again.text !== original.text) return again;
    }
    return { number: original.number, text: typedFromUS(original.number) };
  }
}

const INFO_MAILBOX: Record<Country, string> = { US: 'info', GB: 'enquiries', DE: 'kontakt', FR: 'contact', CN: 'service', IN: 'info', BR: 'contato', JP: 'info' };
const PRIVATE_MAIL = ['mail.example', 'inbox.example', 'post.example'];
const CALL_NOTES = {
  en: [
    'Asked about the renewal quote.',
    'Wants a callback next week about the extra seats.',
    'Headset issue resolved; no further action.',
    'Discussed pricing for the Berlin office.',
    'Left a voicemail.',
    'Confirmed the delivery date.',
    'Invoice 2024-0418 was paid twice; refund requested.',
  ],
  zh: ['询问续约报价。', '希望下周回电。', '确认了交货日期。', '发票问题已解决。'],
};

/** The city's place (its area code) in `country`; every company's city must have one. */
function placeIn(country: Country, city: string): Place {
  const found = PLACES[country].find((p) => p.city === city);
  if (!found) throw new Error(`seed: no area code for ${city} (${country})`);
  return found;
}

/** Countries in rotation, each as often as `counts` says, so ids mix countries like real data. */
function interleaved(counts: Record<Country, number>): Country[] {
  const left = { ...counts };
  const order: Country[] = [];
  while (COUNTRIES.some((c) => left[c] > 0)) {
    for (const country of COUNTRIES) {
      if (left[country] > 0) {
        order.push(country);
        left[country] -= 1;
      }
    }
  }
  return order;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** ASCII for an e-mail local part: German umlauts as ae/oe/ue/ss, other accents dropped. */
function fold(name: string): string {
  return name
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/ı/g, 'i')
    .normalize('NFD')
    .replace(/[^a-z0-9.-]/g, '');
}
