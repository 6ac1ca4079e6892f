/**
 * A relay for request-route tests: it records what the route hands over (the parts given) and
 * answers for it as a real relay would promise to (HANDED_OVER); `inDialog` says whether a dialog
 * of ours is named.
 */
import { HANDED_OVER, type ExtensionCall, type Relay, type Responder, type TrunkCall } from '../../src/pbx/request-route.ts';
import type { SipRequest } from '../../src/sip/message/types.ts';
import type { Flow } from '../../src/sip/transport/flow.ts';

export interface FakeRelayParts {
  toExtension?(request: SipRequest, flow: Flow, responder: Responder, call: ExtensionCall): unknown;
  toTrunk?(request: SipRequest, flow: Flow, responder: Responder, call: TrunkCall): unknown;
  inDialog?(request: SipRequest, flow: Flow, responder: Responder): boolean;
}

export function fakeRelay(parts: FakeRelayParts = {}): Relay<Responder> {
  return {
    toExtension(request, flow, responder, call) {
      parts.toExtension?.(request, flow, responder, call);
      return HANDED_OVER;
    },
    toTrunk(request, flow, responder, call) {
      parts.toTrunk?.(request, flow, responder, call);
      return HANDED_OVER;
    },
    inDialog: (request, flow, responder) => (parts.inDialog?.(request, flow, responder) ? HANDED_OVER : undefined),
    cancel: () => undefined,
    ack: () => undefined,
  };
}
