/**
 * The address Callpane puts in Via and Record-Route when none is configured: the bind address
 * when it is a specific one, otherwise the machine's first external IPv4 address, otherwise
 * loopback (a machine, or a test namespace, with nothing else).
 */
import { networkInterfaces } from 'node:os';

export type InterfaceTable = ReturnType<typeof networkInterfaces>;

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export function defaultAdvertisedHost(bindHost: string, interfaces: InterfaceTable = networkInterfaces()): string {
  if (!WILDCARDS.has(bindHost)) return bindHost;
  for (const addresses of Object.values(interfaces)) {
    const external = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (external) return external.address;
  }
  return '127.0.0.1';
}
