/**
 * The relay behind the request route for calls between extensions: presents the caller as the
 * extension it authenticated as, and has the proxy fork to every registered contact of the callee.
 */
import { formatNameAddr, fromOf, parseUri } from '../sip/message/index.ts';
import type { SipRequest } from '../sip/message/types.ts';
import type { ServerTransaction } from '../sip/transaction/index.ts';
import type { Flow } from '../sip/transport/index.ts';
import type { Binding } from './binding.ts';
import type { ForwardTarget, Proxy } from './proxy/proxy.ts';
import type { ExtensionCall, Relay } from './request-route.ts';

export interface ExtensionRelayOptions {
  proxy: Proxy;
  /** The display name of an extension, shown to the callee as the caller's name. */
  displayNameOf(number: string): string | undefined;
}

export function createExtensionRelay({ proxy, displayNameOf }: ExtensionRelayOptions): Relay<ServerTransaction<Flow>> {
  return {
    toExtension(request: SipRequest, flow: Flow, server: ServerTransaction<Flow>, call: ExtensionCall): void {
      proxy.forward(server, presentedAs(request, displayNameOf(call.caller)), flow, call.bindings.map(targetOf));
    },
    inDialog(request: SipRequest, flow: Flow, server: ServerTransaction<Flow>): boolean {
      return proxy.forwardInDialog(server, request, flow);
    },
  };
}

/** The callee sees the caller's extension name, whatever display name the phone put in From. */
function presentedAs(request: SipRequest, displayName: string | undefined): SipRequest {
  const from = fromOf(request);
  const value = formatNameAddr({ ...from, displayName });
  return { ...request, headers: request.headers.map((header) => (header.name === 'From' ? { name: 'From', value } : header)) };
}

/** A binding is reached where its REGISTER came from (RFC 5626 flow), never at its Contact host. */
function targetOf(binding: Binding): ForwardTarget {
  return {
    uri: parseUri(binding.contactUri),
    leg: { transport: binding.transport, address: binding.sourceAddress, port: binding.sourcePort, flowId: binding.flowId },
  };
}
