/**
 * Why the SIP transports could not listen, said the way an operator fixes it: naming the setting
 * and its variable, as the HTTP server does for http.port. UDP and TCP share sip.port; TLS has
 * sip.tlsPort (the configuration refuses the two being equal, so the failed port tells them apart).
 */
import type { Config } from '../config/load-config.ts';

export function sipListenError(error: unknown, config: Config): Error {
  const { code, port, syscall } = error as NodeJS.ErrnoException & { port?: number };
  const { host, tlsPort, transports } = config.sip;
  const tls = transports.includes('tls') && port === tlsPort && tlsPort !== 0;
  const chosenPort = tls ? tlsPort : config.sip.port;
  // A UDP socket fails in bind(), a TCP or TLS server in listen().
  const what = tls ? 'SIP over TLS' : syscall === 'bind' ? 'SIP over UDP' : 'SIP over TCP';
  const portSetting = tls ? 'sip.tlsPort / CALLPANE_SIP_TLS_PORT' : 'sip.port / CALLPANE_SIP_PORT';
  let reason: string;
  let setting = portSetting;
  if (code === 'EADDRINUSE') reason = 'the address is already in use';
  else if (code === 'EACCES') reason = 'permission denied (ports below 1024 need privileges)';
  else if (code === 'EADDRNOTAVAIL') {
    reason = 'no interface of this machine has that address';
    setting = 'sip.host / CALLPANE_SIP_HOST';
  } else reason = (error as Error).message;
  return new Error(`cannot listen for ${what} on ${host}:${chosenPort}: ${reason} (set ${setting})`, { cause: error });
}
