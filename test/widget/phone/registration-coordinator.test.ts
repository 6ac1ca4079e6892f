import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../support/fake-clock.ts';
import { RegistrationCoordinator, type CoordinationChannel, type CoordinatorMessage, type CoordinatorRole } from '../../../src/widget/phone/registration-coordinator.ts';

/** BroadcastChannel semantics: asynchronous, never back to the sender, dropped when closed. */
class Bus {
  readonly #members = new Set<Member>();
  readonly #queue: Array<{ sender: Member; message: CoordinatorMessage }> = [];
  /** Panes whose messages and deliveries are suspended (a frozen tab). */
  readonly frozen = new Set<Member>();

  join(): Member {
    const member = new Member(this);
    this.#members.add(member);
    return member;
  }

  leave(member: Member): void {
    this.#members.delete(member);
  }

  post(sender: Member, message: CoordinatorMessage): void {
    if (!this.frozen.has(sender)) this.#queue.push({ sender, message });
  }

  flush(): void {
    for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
      for (const member of this.#members) if (member !== item.sender && !this.frozen.has(member)) member.deliver(item.message);
    }
  }
}

class Member implements CoordinationChannel {
  readonly #bus: Bus;
  readonly #listeners = new Set<(event: { data: unknown }) => void>();

  constructor(bus: Bus) {
    this.#bus = bus;
  }

  postMessage(message: CoordinatorMessage): void {
    this.#bus.post(this, structuredClone(message));
  }

  addEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
    this.#listeners.add(listener);
  }

  removeEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
    this.#listeners.delete(listener);
  }

  close(): void {
    this.#bus.leave(this);
  }

  deliver(data: unknown): void {
    for (const listener of this.#listeners) listener({ data });
  }
}

function world() {
  const clock = new FakeClock();
  const bus = new Bus();
  const panes: Array<{ id: string; coordinator: RegistrationCoordinator; roles: CoordinatorRole[]; member: Member; busy: boolean }> = [];
  const run = (ms: number) => {
    for (let elapsed = 0; elapsed < ms; elapsed += 10) {
      bus.flush();
      clock.advance(10);
      bus.flush();
    }
  };
  const open = (id: string) => {
    const member = bus.join();
    const pane = { id, roles: [] as CoordinatorRole[], member, busy: false, coordinator: undefined as unknown as RegistrationCoordinator };
    pane.coordinator = new RegistrationCoordinator({ channel: member, id, clock, isBusy: () => pane.busy, onRoleChange: (role) => pane.roles.push(role) });
    pane.coordinator.start();
    panes.push(pane);
    return pane;
  };
  const close = (pane: (typeof panes)[number]) => {
    pane.coordinator.stop();
    bus.flush();
    pane.member.close();
  };
  const holders = () => panes.filter((pane) => pane.coordinator.role === 'holder').map((pane) => pane.id);
  return { clock, bus, run, open, close, holders };
}

describe('registration coordinator', () => {
  test('a single pane becomes the holder after nobody answers its hello', () => {
    const { run, open, holders } = world();
    const a = open('a');
    run(1000);
    assert.deepEqual(holders(), ['a']);
    assert.deepEqual(a.roles, ['holder']);
  });

  test('a second tab finds the holder and follows it', () => {
    const { run, open, holders } = world();
    open('a');
    run(1000);
    const b = open('b');
    run(1000);
    assert.deepEqual(holders(), ['a']);
    assert.deepEqual(b.roles, ['follower']);
  });

  test('tabs opened at the same moment end with exactly one holder', () => {
    const { run, open, holders } = world();
    open('c');
    open('a');
    open('b');
    run(2000);
    assert.deepEqual(holders(), ['a']);
  });

  test('when the holder closes, a follower holds at once (no waiting for silence)', () => {
    const { run, open, close, holders } = world();
    const a = open('a');
    run(1000);
    open('b');
    run(1000);
    close(a);
    run(500);
    assert.deepEqual(holders(), ['b']);
  });

  test('a holder that vanished without a word is replaced after it fails to answer a probe', () => {
    const { run, open, bus, holders } = world();
    const a = open('a');
    run(1000);
    const b = open('b');
    run(1000);
    bus.frozen.add(a.member);
    run(10_000);
    assert.equal(b.coordinator.role, 'follower');
    run(6000);
    assert.equal(b.coordinator.role, 'holder');
    assert.ok(holders().includes('b'));
  });

  test('a holder in a background tab that answers probes keeps the registration', () => {
    const { run, open, holders } = world();
    open('a');
    run(1000);
    open('b');
    run(60_000);
    assert.deepEqual(holders(), ['a']);
  });

  test('a frozen holder that wakes up yields to the newer holder', () => {
    const { run, open, bus, holders } = world();
    const a = open('a');
    run(1000);
    open('b');
    run(1000);
    bus.frozen.add(a.member);
    run(20_000);
    bus.frozen.delete(a.member);
    run(6000);
    assert.deepEqual(holders(), ['b']);
    assert.deepEqual(a.roles, ['holder', 'follower']);
  });

  test('a takeover moves the registration to the asking tab', async () => {
    const { run, open, holders } = world();
    const a = open('a');
    run(1000);
    const b = open('b');
    run(1000);
    const outcome = b.coordinator.takeOver();
    run(500);
    assert.equal(await outcome, 'taken');
    assert.deepEqual(holders(), ['b']);
    assert.deepEqual(a.roles, ['holder', 'follower']);
    run(30_000);
    assert.deepEqual(holders(), ['b']);
  });

  test('a holder in a call refuses a takeover', async () => {
    const { run, open, holders } = world();
    const a = open('a');
    run(1000);
    const b = open('b');
    run(1000);
    a.busy = true;
    const outcome = b.coordinator.takeOver();
    run(500);
    assert.equal(await outcome, 'busy');
    assert.deepEqual(holders(), ['a']);
    assert.equal(b.coordinator.role, 'follower');
  });

  test('without BroadcastChannel a pane holds its own registration at once', () => {
    const roles: CoordinatorRole[] = [];
    const coordinator = new RegistrationCoordinator({ channel: undefined, id: 'x', clock: new FakeClock(), isBusy: () => false, onRoleChange: (role) => roles.push(role) });
    coordinator.start();
    assert.deepEqual(roles, ['holder']);
  });

  test('messages that are not the protocol are ignored', () => {
    const { run, open, bus, holders } = world();
    open('a');
    run(1000);
    const stray = bus.join();
    stray.deliver('nonsense');
    stray.postMessage({ v: 2, type: 'holder', from: 'z', epoch: 99 } as unknown as CoordinatorMessage);
    stray.postMessage({ v: 1, type: 'holder', from: 'z', epoch: Number.NaN } as CoordinatorMessage);
    run(100);
    assert.deepEqual(holders(), ['a']);
  });
});
