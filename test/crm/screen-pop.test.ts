import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrmRecordRef } from '../../src/crm/crm-entities.ts';
import { DEFAULT_CRM_SETTINGS, type CrmSettings } from '../../src/crm/crm-settings.ts';
import { matchPhone } from '../../src/crm/phone-match.ts';
import type { RecordPhone } from '../../src/crm/phone-search.ts';
import { decideScreenPop, matchedRecords, type ScreenPopInput } from '../../src/crm/screen-pop.ts';
import { libphonenumberReader } from '../../src/crm/numbers/phone-number.ts';

const ALEX: CrmRecordRef = { entity: 'contact', id: 'cccccccc-0000-4000-8000-000000000001', name: 'Alex Baker' };
const JORDAN: CrmRecordRef = { entity: 'contact', id: 'cccccccc-0000-4000-8000-000000000002', name: 'Jordan Lee' };
const CONTOSO: CrmRecordRef = { entity: 'account', id: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'Contoso' };

function pop(overrides: Omit<Partial<ScreenPopInput>, 'settings'> & { settings?: Partial<CrmSettings> }) {
  return decideScreenPop(libphonenumberReader, {
    direction: 'inbound',
    phase: 'ringing',
    matches: [ALEX],
    number: '+14155550100',
    defaultRegion: 'US',
    ...overrides,
    settings: { ...DEFAULT_CRM_SETTINGS, ...overrides.settings },
  });
}

describe('decideScreenPop', () => {
  test('opens the one matched record when the call rings, by default', () => {
    assert.deepEqual(pop({}), { kind: 'open', record: ALEX });
  });

  test('opens it only in the phase the user chose, or never', () => {
    assert.deepEqual(pop({ phase: 'answered' }), { kind: 'none', reason: 'other-phase' });
    assert.deepEqual(pop({ phase: 'answered', settings: { openRecord: 'answered' } }), { kind: 'open', record: ALEX });
    assert.deepEqual(pop({ phase: 'ringing', settings: { openRecord: 'answered' } }), { kind: 'none', reason: 'other-phase' });
    for (const phase of ['ringing', 'answered'] as const) assert.deepEqual(pop({ phase, settings: { openRecord: 'never' } }), { kind: 'none', reason: 'never' });
  });

  test('pops for outbound calls only when the user applies it to both directions, and never for internal calls', () => {
    assert.deepEqual(pop({ direction: 'outbound' }), { kind: 'none', reason: 'direction' });
    assert.deepEqual(pop({ direction: 'outbound', settings: { applyTo: 'both' } }), { kind: 'open', record: ALEX });
    assert.deepEqual(pop({ direction: 'internal', number: '1002', settings: { applyTo: 'both' } }), { kind: 'none', reason: 'direction' });
  });

  test('offers several matches in the pane, each record once', () => {
    assert.deepEqual(pop({ matches: [ALEX, CONTOSO, { ...ALEX, name: 'Alex B.' }, JORDAN] }), { kind: 'choose', records: [ALEX, CONTOSO, JORDAN] });
  });

  test('opens the record the user chose before for this number, while it still matches', () => {
    assert.deepEqual(pop({ matches: [ALEX, JORDAN], remembered: { entity: 'contact', id: JORDAN.id.toUpperCase() } }), { kind: 'open', record: JORDAN });
    assert.deepEqual(pop({ matches: [ALEX, JORDAN], remembered: CONTOSO }), { kind: 'choose', records: [ALEX, JORDAN] });
    assert.deepEqual(pop({ matches: [ALEX, JORDAN], remembered: { entity: 'lead', id: ALEX.id } }), { kind: 'choose', records: [ALEX, JORDAN] }, 'same id, other table');
  });

  test('opens the CRM search page for several matches when the user prefers it', () => {
    assert.deepEqual(pop({ matches: [CONTOSO, ALEX], remembered: ALEX, settings: { severalMatches: 'search-page' } }), {
      kind: 'search-page',
      entity: 'account',
      searchText: '*4*1*5*5*5*5*0*1*0*0',
    });
  });

  test('does what the user chose for an unknown number', () => {
    const unknown = (unknownNumber: CrmSettings['unknownNumber']) => pop({ matches: [], number: '+14155550100', settings: { unknownNumber } });
    assert.deepEqual(unknown('nothing'), { kind: 'none', reason: 'unknown-number' });
    assert.deepEqual(unknown('new-contact-form'), { kind: 'new-form', entity: 'contact', prefill: { telephone1: '+1 415 555 0100' } });
    assert.deepEqual(unknown('new-lead-form'), { kind: 'new-form', entity: 'lead', prefill: { telephone1: '+1 415 555 0100' } });
    assert.deepEqual(unknown('create-contact'), { kind: 'create', entity: 'contact', data: { lastname: '+1 415 555 0100', telephone1: '+1 415 555 0100' } });
    assert.deepEqual(unknown('create-lead'), { kind: 'create', entity: 'lead', data: { subject: '+1 415 555 0100', lastname: '+1 415 555 0100', telephone1: '+1 415 555 0100' } });
  });

  test('writes an unknown number in international form when it can place it, else as presented', () => {
    const form = (number: string, defaultRegion?: string) => pop({ matches: [], number, defaultRegion, settings: { unknownNumber: 'new-contact-form' } });
    assert.deepEqual(form('030 1234567', 'DE'), { kind: 'new-form', entity: 'contact', prefill: { telephone1: '+49 30 1234567' } });
    assert.deepEqual(form(' 030 1234567 ', undefined), { kind: 'new-form', entity: 'contact', prefill: { telephone1: '030 1234567' } });
  });

  test('creates nothing for a caller without a usable number', () => {
    for (const number of ['anonymous', '', '1002']) {
      assert.deepEqual(pop({ matches: [], number, settings: { unknownNumber: 'create-contact' } }), { kind: 'none', reason: 'not-a-number' }, number);
    }
  });
});

describe('matchedRecords', () => {
  test('turns ranked phone matches into records, best first, each once', () => {
    const candidates: RecordPhone[] = [
      { entity: 'contact', id: JORDAN.id, name: 'Jordan Lee', field: 'mobilephone', number: '(415) 555-0100' },
      { entity: 'contact', id: ALEX.id, name: 'Alex Baker', field: 'telephone1', number: '+1 (415) 555-0100' },
      { entity: 'contact', id: ALEX.id, name: 'Alex Baker', field: 'telephone2', number: '+1 415 555 0100' },
      { entity: 'account', id: CONTOSO.id, field: 'telephone1', number: '415 555 0199' },
    ];
    const records = matchedRecords(matchPhone(libphonenumberReader, '+14155550100', candidates));
    assert.deepEqual(records, [
      { entity: 'contact', id: ALEX.id, name: 'Alex Baker' },
      { entity: 'contact', id: JORDAN.id, name: 'Jordan Lee' },
    ]);
  });
});
