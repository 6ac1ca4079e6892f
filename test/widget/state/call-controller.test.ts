import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallEvent, RecordRef } from '../../../src/widget/api/api-types.ts';
import type { CrmFlow, JournalRequest } from '../../../src/widget/crm/crm-flow.ts';
import type { Microphone } from '../../../src/widget/phone/microphone.ts';
import type { PhoneCall, PhoneEngine, PhoneEvent } from '../../../src/widget/phone/phone-engine.ts';
import type { RingingCall } from '../../../src/widget/phone/call-notifier.ts';
import type { Ringtone } from '../../../src/widget/phone/ringtone.ts';
import { libphonenumberReader } from '../../../src/crm/numbers/phone-number.ts';
import { phoneFacts } from '../../../src/server/api/phone-routes.ts';
import { ServerNumberReader } from '../../../src/widget/phone/server-number-reader.ts';
import { CallController } from '../../../src/widget/state/call-controller.ts';
import { initialState, type PaneState } from '../../../src/widget/state/pane-state.ts';
import { Store } from '../../../src/widget/state/store.ts';
import { itemAt } from '../../support/item-at.ts';

/** A phone that does what it is told and lets the test play the far end. */
class FakeEngine implements Partial<PhoneEngine> {
  readonly registration = 'registered' as const;
  readonly actions: string[] = [];
  readonly #listeners = new Set<(event: PhoneEvent) => void>();
  #next = 1;

  on(listener: (event: PhoneEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(call: PhoneCall): void {
    for (const listener of this.#listeners) listener({ type: 'call', call: { ...call } });
  }

  call(target: string): string {
    const id = `local-${this.#next++}`;
    this.actions.push(`call ${target}`);
    this.emit({ id, direction: 'outbound', remoteNumber: target, remoteName: '', state: 'dialing', ringing: false, held: false, muted: false, startedAt: Date.now() });
    return id;
  }

  answer(id: string): void {
    this.actions.push(`answer ${id}`);
  }

  hold(id: string): void {
    this.actions.push(`hold ${id}`);
  }

  decline(id: string): void {
    this.actions.push(`decline ${id}`);
  }
}

function setup(options: { lookup?: RecordRef[]; decision?: string } = {}) {
  const store = new Store<PaneState>({ ...initialState('en'), boot: 'signed-in', session: { expiresAt: 0, extension: { number: '1001', displayName: 'Alice', email: null } } });
  const engine = new FakeEngine();
  const journal: JournalRequest[] = [];
  const pops: string[] = [];
  const rings: string[] = [];
  let docked = 0;
  const crm = {
    know: async () => {},
    lookup: async () => options.lookup ?? [],
    screenPop: async (input: { phase: string; matches: RecordRef[] }) => {
      pops.push(input.phase);
      return options.decision === 'choose' ? { kind: 'choose', records: input.matches } : { kind: 'none', reason: 'never' };
    },
    journal: async (request: JournalRequest) => {
      journal.push(request);
      return { state: 'logged' as const, activityId: 'act-1' };
    },
    open: async () => true,
    remember: async () => true,
  } as unknown as CrmFlow;
  const microphone = { acquire: async () => ({ ok: true, stream: {} as MediaStream }), release: () => rings.push('mic released') } as unknown as Microphone;
  const ringtone = { start: () => rings.push('ring'), stop: () => rings.push('stop') } as unknown as Ringtone;
  const notified: string[] = [];
  const notifier = { ring: (call: RingingCall) => notified.push(`ring ${call.id}: ${call.title} | ${call.body}`), stop: (id: string) => notified.push(`stop ${id}`) };
  const storage = new Map<string, string>();
  const savedNotes: Array<[string, string]> = [];
  const controller = new CallController({
    store,
    engine: engine as unknown as PhoneEngine,
    microphone,
    ringtone,
    notifier,
    crm,
    storage: { get: (key) => storage.get(key), set: (key, value) => void storage.set(key, value), remove: (key) => void storage.delete(key) },
    defaultRegion: 'US',
    // The pane's reader, answered as the server's phone route answers.
    numbers: new ServerNumberReader(async (list, region) => list.map((number) => phoneFacts(libphonenumberReader, number, region))),
    ensureHolder: async () => true,
    dockPanel: () => docked++,
    refreshHistory: () => {},
    saveNotes: (serverCallId, notes) => savedNotes.push([serverCallId, notes]),
  });
  return { store, engine, controller, journal, pops, rings, notified, savedNotes, docked: () => docked };
}

const incoming = (partial: Partial<PhoneCall> = {}): PhoneCall => ({
  id: 'in-1',
  direction: 'inbound',
  remoteNumber: '+16195550129',
  remoteName: '',
  state: 'incoming',
  ringing: false,
  held: false,
  muted: false,
  startedAt: Date.now(),
  ...partial,
});

function serverEvent(type: CallEvent['type'], extra: Record<string, unknown> = {}): CallEvent {
  return {
    type,
    callId: 'srv-1',
    direction: 'inbound',
    from: { number: '+16195550129', trunk: 'demo' },
    to: { number: '1001', extension: '1001' },
    extensions: ['1001'],
    at: Date.now(),
    ...extra,
  } as CallEvent;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('call controller', () => {
  test('an incoming call rings, docks the panel, looks the caller up and pops at ringing', async () => {
    const alex = { entity: 'contact' as const, id: 'a1', name: 'Alex Baker' };
    const { engine, store, pops, rings, docked } = setup({ lookup: [alex] });
    engine.emit(incoming());
    await settle();
    const view = itemAt(store.state.calls, 0);
    assert.deepEqual(view.lookup, { state: 'done', records: [alex] });
    assert.deepEqual(view.record, alex);
    assert.deepEqual(pops, ['ringing']);
    assert.deepEqual(rings, ['ring']);
    assert.equal(docked(), 1);
  });

  test('answering stops the ring and pops again for the answered phase', async () => {
    const { engine, controller, pops, rings } = setup();
    engine.emit(incoming());
    await settle();
    await controller.answer('in-1');
    engine.emit(incoming({ state: 'active', answeredAt: Date.now() }));
    await settle();
    assert.deepEqual(pops, ['ringing', 'answered']);
    assert.ok(rings.includes('stop'));
  });

  test('the bell goes on while another call still waits to be answered, and stops when none does', async () => {
    const { engine, rings } = setup();
    engine.emit(incoming());
    engine.emit(incoming({ id: 'in-2', remoteNumber: '+16195550130' }));
    await settle();
    engine.emit(incoming({ state: 'ended', endedAt: Date.now() }));
    await settle();
    assert.equal(rings.at(-1), 'ring', 'the second caller still rings');
    engine.emit(incoming({ id: 'in-2', remoteNumber: '+16195550130', state: 'ended', endedAt: Date.now() }));
    await settle();
    assert.equal(rings.filter((entry) => entry !== 'mic released').at(-1), 'stop');
  });

  test('a ringing call is handed to the desktop notifier with the caller, and taken back once it stops ringing', async () => {
    const { engine, notified } = setup();
    engine.emit(incoming({ remoteName: 'Alex Baker' }));
    // The bell does not wait for the server: a number it has not read yet shows as presented.
    assert.deepEqual(notified, ['ring in-1: Incoming call: Alex Baker | +16195550129\nClick to answer.']);
    engine.emit(incoming({ remoteName: 'Alex Baker', state: 'ended', endedAt: Date.now() }));
    assert.deepEqual(notified.slice(1), ['stop in-1'], 'the caller gave up: the notification goes');
  });

  test('clicking the notification docks the panel, shows the phone and answers the call', async () => {
    const { engine, controller, store, notified, docked } = setup();
    engine.emit(incoming());
    store.update({ tab: 'history' });
    await controller.answerFromNotification('in-1');
    assert.deepEqual(engine.actions, ['answer in-1']);
    assert.equal(store.state.tab, 'phone');
    assert.equal(docked(), 2, 'docked when it rang, and again at the click (the agent may have minimized the panel)');
    assert.ok(notified.includes('stop in-1'));
    engine.emit(incoming({ state: 'active', answeredAt: Date.now() }));
    await controller.answerFromNotification('in-1');
    assert.deepEqual(engine.actions, ['answer in-1'], 'a second click on a stale notification answers nothing');
  });

  test('several matches with the chooser setting open the chooser on the card', async () => {
    const records = [
      { entity: 'contact' as const, id: 'a', name: 'A' },
      { entity: 'contact' as const, id: 'b', name: 'B' },
    ];
    const { engine, store } = setup({ lookup: records, decision: 'choose' });
    engine.emit(incoming());
    await settle();
    assert.equal(itemAt(store.state.calls, 0).choosing, true);
    assert.equal(itemAt(store.state.calls, 0).record, undefined);
  });

  test('an ended call is journaled once with the server id, its facts and the notes', async () => {
    const { engine, controller, store, journal } = setup();
    const started = Date.now() - 60_000;
    engine.emit(incoming({ startedAt: started }));
    controller.onServerEvent(serverEvent('ringing'));
    controller.setNotes('in-1', 'Wants a quote');
    engine.emit(incoming({ state: 'active', answeredAt: started + 5000 }));
    engine.emit(incoming({ state: 'ended', answeredAt: started + 5000, endedAt: started + 50_000 }));
    controller.onServerEvent(serverEvent('ended', { disposition: 'answered', startedAt: started, answeredAt: started + 4000 }));
    await settle();
    assert.equal(journal.length, 1);
    assert.equal(itemAt(journal, 0).call.callId, 'srv-1');
    assert.equal(itemAt(journal, 0).call.answeredAt, started + 4000);
    assert.equal(itemAt(journal, 0).call.number, '+16195550129');
    assert.equal(itemAt(journal, 0).notes, 'Wants a quote');
    assert.deepEqual(itemAt(store.state.calls, 0).log, { state: 'logged', activityId: 'act-1' });
  });

  test('notes reach the server before the call is logged, so a pane that logs it later has them', async () => {
    const { engine, controller, savedNotes } = setup();
    const started = Date.now() - 60_000;
    engine.emit(incoming({ startedAt: started }));
    controller.onServerEvent(serverEvent('ringing'));
    controller.setNotes('in-1', 'Wants');
    controller.setNotes('in-1', 'Wants a quote');
    assert.deepEqual(savedNotes, [], 'typing is not sent key by key');
    engine.emit(incoming({ state: 'ended', endedAt: started + 50_000 }));
    controller.onServerEvent(serverEvent('ended', { disposition: 'missed', startedAt: started }));
    await settle();
    assert.deepEqual(savedNotes, [['srv-1', 'Wants a quote']], 'sent once, when the call is logged');
  });

  test('a server event that arrives before the phone reports the call is applied when it does', async () => {
    const { engine, controller, store } = setup();
    controller.onServerEvent(serverEvent('ringing'));
    engine.emit(incoming());
    await settle();
    assert.equal(itemAt(store.state.calls, 0).serverCallId, 'srv-1');
  });

  test('dialling a pasted national number calls its E.164 form and keeps the clicked record', async () => {
    const record = { entity: 'contact' as const, id: 'c1', name: 'Jordan Lee' };
    const { engine, controller, store } = setup();
    await controller.dial('(415) 555-0101', record);
    assert.deepEqual(engine.actions, ['call +14155550101']);
    assert.deepEqual(itemAt(store.state.calls, 0).record, record);
  });

  test('answering a second call holds the one in progress', async () => {
    const { engine, controller } = setup();
    engine.emit(incoming({ id: 'first', state: 'active', answeredAt: Date.now() }));
    engine.emit(incoming({ id: 'second' }));
    await controller.answer('second');
    assert.deepEqual(engine.actions, ['hold first', 'answer second']);
  });

  test('nothing dialable gives a notice instead of a call', async () => {
    const { engine, controller, store } = setup();
    await controller.dial('call me');
    assert.deepEqual(engine.actions, []);
    assert.equal(store.state.notice?.key, 'nothingToDial');
  });
});

describe('knowledge articles from Dynamics', () => {
  test('an article sent during a call is added to its notes', () => {
    const { engine, controller, store } = setup();
    engine.emit(incoming({ state: 'active', answeredAt: Date.now() }));
    controller.setNotes('in-1', 'Printer jams');
    controller.addArticle('Clearing a paper jam', 'https://org.crm.dynamics.com/kb/1');
    assert.equal(itemAt(store.state.calls, 0).notes, 'Printer jams\nClearing a paper jam: https://org.crm.dynamics.com/kb/1');
  });

  test('without a call the article is dropped', () => {
    const { controller, store } = setup();
    controller.addArticle('Anything', 'https://example.invalid');
    assert.deepEqual(store.state.calls, []);
  });
});
