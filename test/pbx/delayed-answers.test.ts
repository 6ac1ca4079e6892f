import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DelayedAnswers } from '../../src/pbx/delayed-answers.ts';
import { parseMessage } from '../../src/sip/message/index.ts';
import type { SipResponse } from '../../src/sip/message/types.ts';
import { FakeClock } from '../support/fake-clock.ts';

let calls = 0;

/** A challenge as the guard sends it (its content does not matter here, only which one goes out). */
function response(): SipResponse {
  const text = [
    'SIP/2.0 401 Unauthorized',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-delayed',
    'From: <sip:1001@pbx.test>;tag=a',
    'To: <sip:1001@pbx.test>;tag=b',
    `Call-ID: delayed-${++calls}`,
    'CSeq: 1 REGISTER',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const message = parseMessage(Buffer.from(text));
  assert.equal(message.type, 'response');
  return message;
}

class Recorder {
  readonly sent: SipResponse[] = [];
  respond(answer: SipResponse): void {
    this.sent.push(answer);
  }
}

function fixture(maxPending = 10, maxPendingPerAccount = 10) {
  const clock = new FakeClock();
  const errors: unknown[] = [];
  const answers = new DelayedAnswers({ maxPending, maxPendingPerAccount, clock, onError: (error) => errors.push(error) });
  return { clock, answers, errors };
}

test('an answer with a delay is sent once, when the delay is over, and is no longer held', () => {
  const { clock, answers } = fixture();
  const responder = new Recorder();
  const challenge = response();
  answers.answer(responder, challenge, 2_000, '1001');
  assert.equal(answers.pending, 1);
  clock.advance(1_999);
  assert.deepEqual(responder.sent, []);
  clock.advance(1);
  assert.deepEqual(responder.sent, [challenge]);
  assert.equal(answers.pending, 0);
  clock.advance(60_000);
  assert.equal(responder.sent.length, 1);
  assert.equal(clock.pending, 0);
});

test('an answer without a delay is sent at once', () => {
  const { clock, answers } = fixture();
  const responder = new Recorder();
  answers.answer(responder, response(), 0, '1001');
  assert.equal(responder.sent.length, 1);
  assert.equal(clock.pending, 0);
});

test('holds at most maxPending answers: one past that is sent at once', () => {
  const { clock, answers } = fixture(3);
  const held = Array.from({ length: 3 }, () => new Recorder());
  for (const responder of held) answers.answer(responder, response(), 5_000, '1001');
  const overflow = new Recorder();
  answers.answer(overflow, response(), 5_000, '1001');
  assert.equal(overflow.sent.length, 1);
  assert.equal(answers.pending, 3);
  assert.ok(held.every((responder) => responder.sent.length === 0));
  clock.advance(5_000);
  assert.ok(held.every((responder) => responder.sent.length === 1));
  assert.equal(overflow.sent.length, 1);
});

test('close drops the waiting answers and their timers: nothing is sent later', () => {
  const { clock, answers } = fixture();
  const responder = new Recorder();
  answers.answer(responder, response(), 1_000, '1001');
  answers.close();
  assert.equal(answers.pending, 0);
  assert.equal(clock.pending, 0);
  clock.advance(10_000);
  assert.deepEqual(responder.sent, []);
});

test('a transaction that ended meanwhile is reported, and the error never leaves the timer', () => {
  const { clock, answers, errors } = fixture();
  const ended = new Error('transaction terminated');
  answers.answer(
    {
      respond: () => {
        throw ended;
      },
    },
    response(),
    1_000,
    '1001',
  );
  assert.doesNotThrow(() => clock.advance(1_000));
  assert.deepEqual(errors, [ended]);
});

test('holds at most maxPendingPerAccount answers for one account: the next guess at it is answered at once, other accounts still wait', () => {
  const { clock, answers } = fixture(10, 2);
  const held = [new Recorder(), new Recorder()];
  for (const responder of held) answers.answer(responder, response(), 5_000, '1001');
  const overflow = new Recorder();
  answers.answer(overflow, response(), 5_000, '1001');
  assert.equal(overflow.sent.length, 1, 'past its share, a guess at the attacked account is answered at once');
  const other = new Recorder();
  answers.answer(other, response(), 5_000, '1002');
  assert.deepEqual(other.sent, [], 'a guess at another account is still held back');
  assert.equal(answers.pendingFor('1001'), 2);
  clock.advance(5_000);
  assert.equal(answers.pendingFor('1001'), 0);
  answers.answer(new Recorder(), response(), 5_000, '1001');
  assert.equal(answers.pendingFor('1001'), 1, 'room again once its answers went out');
});

test('cancel drops the answer waiting for a responder, which is never sent, and frees its place', () => {
  const { clock, answers } = fixture(10, 1);
  const cancelled = new Recorder();
  answers.answer(cancelled, response(), 5_000, '1001');
  assert.equal(answers.cancel(cancelled), true);
  assert.equal(answers.pending, 0);
  assert.equal(clock.pending, 0);
  clock.advance(10_000);
  assert.deepEqual(cancelled.sent, []);
  const next = new Recorder();
  answers.answer(next, response(), 5_000, '1001');
  assert.equal(answers.pendingFor('1001'), 1, "the account's place is free again");
  assert.equal(answers.cancel(new Recorder()), false, 'nothing waits for a responder it never held');
});
