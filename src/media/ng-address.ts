/**
 * The address of an rtpengine's ng control socket as an operator writes it: `host:port`, with an
 * IPv6 address in brackets (`[2001:db8::5]:2223`), the way rtpengine's own `--listen-ng` and
 * Kamailio's `rtpengine_sock` write it. The port is required: there is no standard ng port.
 */
import { isIP } from 'node:net';

export interface NgAddress {
  host: string;
  port: number;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

export type NgAddressParse = { address: NgAddress; problem?: undefined } | { address?: undefined; problem: string };

export function parseNgAddress(text: string): NgAddressParse {
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  const plain = /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const [, host, portText] = bracketed ?? plain ?? [];
  if (host === undefined || portText === undefined) return { problem: `${JSON.stringify(text)} is not host:port` };
  if (bracketed ? isIP(host) !== 6 : isIP(host) !== 4 && !HOST_NAME.test(host)) return { problem: `${JSON.stringify(host)} is not an IP address or host name` };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { problem: `port ${port} is not from 1 to 65535` };
  return { address: { host, port } };
}

export function formatNgAddress({ host, port }: NgAddress): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
