import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load-config.ts';
import { problemsOfRefused } from './config-problems.ts';
import { itemAt } from '../support/item-at.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-config-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function load(options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, cwd: dir, interfaces: {}, ...options });
}

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

function problemsOf(options: LoadConfigOptions): readonly string[] {
  return problemsOfRefused(() => load(options));
}

describe('defaults', () => {
  test('serve the demo when there is neither a file nor a variable', () => {
    const config = load();
    assert.equal(config.dataDir, join(dir, 'data'));
    assert.deepEqual(config.http, { host: '0.0.0.0', port: 8080, publicUrl: undefined, trustProxy: false });
    assert.deepEqual(config.sip, {
      host: '0.0.0.0',
      port: 5060,
      tlsPort: 5061,
      advertisedHost: '127.0.0.1',
      domain: '127.0.0.1',
      transports: ['udp', 'tcp', 'ws'],
      wsPath: '/sip',
      wsFirstRequestSeconds: 10,
      wsMaxConnectionsPerAddress: 2000,
      digestAlgorithms: ['MD5'],
    });
    assert.equal(config.tls, undefined);
    assert.deepEqual(config.registrar, { minExpires: 60, maxExpires: 3600, defaultExpires: 600 });
    assert.deepEqual(config.security.authFailures, { limit: 5, windowSeconds: 60, banSeconds: 300 });
    assert.deepEqual(config.log, { level: 'info', pretty: false });
    assert.deepEqual(config.demo, { seedExtensions: true });
  });

  test('create the demo extensions only with the sandbox, unless demo.seedExtensions says otherwise', () => {
    assert.equal(load({ env: { CALLPANE_SANDBOX_ENABLED: 'false' } }).demo.seedExtensions, false, 'production: no demo extensions');
    assert.equal(load({ env: { CALLPANE_SANDBOX_ENABLED: 'false', CALLPANE_DEMO_SEED_EXTENSIONS: 'true' } }).demo.seedExtensions, true);
    assert.equal(load({ env: { CALLPANE_DEMO_SEED_EXTENSIONS: 'false' } }).demo.seedExtensions, false);
    assert.equal(load({ argvConfigPath: writeJson('production.json', { sandbox: { enabled: false } }) }).demo.seedExtensions, false);
  });

  test('advertise the first external IPv4 address when bound to all interfaces', () => {
    const config = load({
      interfaces: {
        lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '', cidr: null }],
        eth0: [
          { address: 'fd00::2', family: 'IPv6', internal: false, netmask: 'ffff::', mac: '', cidr: null, scopeid: 0 },
          { address: '192.0.2.7', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null },
        ],
      },
    });
    assert.equal(config.sip.advertisedHost, '192.0.2.7');
    assert.equal(config.sip.domain, '192.0.2.7');
  });

  test('advertise the bind address when it is a specific one, and use it as the domain', () => {
    const config = load({ env: { CALLPANE_SIP_HOST: '127.0.0.1' } });
    assert.equal(config.sip.advertisedHost, '127.0.0.1');
    assert.equal(config.sip.domain, '127.0.0.1');
  });

  test('keep an explicit domain apart from the advertised host', () => {
    const config = load({ env: { CALLPANE_SIP_ADVERTISED_HOST: 'pbx.example.test', CALLPANE_SIP_DOMAIN: 'example.test' } });
    assert.equal(config.sip.advertisedHost, 'pbx.example.test');
    assert.equal(config.sip.domain, 'example.test');
  });
});

describe('file and environment', () => {
  test('the default file is optional but is read when present', () => {
    writeJson('callpane.json', { http: { port: 9000 } });
    try {
      assert.equal(load().http.port, 9000);
    } finally {
      rmSync(join(dir, 'callpane.json'));
    }
  });

  test('variables override the file, which overrides the defaults', () => {
    const file = writeJson('layered.json', { http: { port: 9000, host: '127.0.0.1' }, log: { level: 'debug' } });
    const config = load({ argvConfigPath: file, env: { CALLPANE_HTTP_PORT: '9100' } });
    assert.equal(config.http.port, 9100);
    assert.equal(config.http.host, '127.0.0.1');
    assert.equal(config.log.level, 'debug');
    assert.equal(config.sip.port, 5060);
  });

  test('--config wins over CALLPANE_CONFIG', () => {
    const flagged = writeJson('flagged.json', { sip: { port: 5070 } });
    const fromEnv = writeJson('from-env.json', { sip: { port: 5080 } });
    assert.equal(load({ env: { CALLPANE_CONFIG: fromEnv } }).sip.port, 5080);
    assert.equal(load({ argvConfigPath: flagged, env: { CALLPANE_CONFIG: fromEnv } }).sip.port, 5070);
  });

  test('an explicitly named file that does not exist is an error naming the path', () => {
    const problem = itemAt(problemsOf({ argvConfigPath: 'missing.json' }), 0);
    assert.match(problem, /missing\.json/);
    assert.match(problem, /ENOENT/);
    const fromEnv = itemAt(problemsOf({ env: { CALLPANE_CONFIG: 'also-missing.json' } }), 0);
    assert.match(fromEnv, /also-missing\.json/);
  });

  test('a file that is not JSON, or not a JSON object, is an error', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "http": ');
    assert.match(itemAt(problemsOf({ argvConfigPath: broken }), 0), /broken\.json is not valid JSON/);
    const list = writeJson('list.json', [1, 2]);
    assert.match(itemAt(problemsOf({ argvConfigPath: list }), 0), /must hold a JSON object, found \[1,2\]/);
  });

  test('variables are coerced to numbers, booleans and lists', () => {
    const config = load({
      env: {
        CALLPANE_REGISTRAR_MIN_EXPIRES: '30',
        CALLPANE_SECURITY_AUTH_FAILURES_BAN_SECONDS: '900',
        CALLPANE_LOG_PRETTY: 'true',
        CALLPANE_DEMO_SEED_EXTENSIONS: '0',
        CALLPANE_SIP_TRANSPORTS: ' udp , ws ,',
        CALLPANE_SIP_DIGEST_ALGORITHMS: 'SHA-256,MD5',
        CALLPANE_DATA_DIR: '/var/lib/callpane',
      },
    });
    assert.equal(config.registrar.minExpires, 30);
    assert.equal(config.security.authFailures.banSeconds, 900);
    assert.equal(config.log.pretty, true);
    assert.equal(config.demo.seedExtensions, false);
    assert.deepEqual(config.sip.transports, ['udp', 'ws']);
    assert.deepEqual(config.sip.digestAlgorithms, ['SHA-256', 'MD5']);
    assert.equal(config.dataDir, '/var/lib/callpane');
    assert.equal(load({ env: { CALLPANE_LOG_PRETTY: '1', CALLPANE_DEMO_SEED_EXTENSIONS: 'FALSE' } }).log.pretty, true);
    assert.equal(load({ env: { CALLPANE_DEMO_SEED_EXTENSIONS: 'FALSE' } }).demo.seedExtensions, false);
  });

  test('the SIP WebSocket deadline and per-address limit come from their variables', () => {
    const config = load({ env: { CALLPANE_SIP_WS_FIRST_REQUEST_SECONDS: '3', CALLPANE_SIP_WS_MAX_CONNECTIONS_PER_ADDRESS: '12000' } });
    assert.equal(config.sip.wsFirstRequestSeconds, 3);
    assert.equal(config.sip.wsMaxConnectionsPerAddress, 12000);
  });

  test('an empty variable counts as unset', () => {
    const file = writeJson('with-port.json', { http: { port: 9000 } });
    assert.equal(load({ argvConfigPath: file, env: { CALLPANE_HTTP_PORT: '' } }).http.port, 9000);
  });

  test('port 0 is allowed so that tests and side-by-side instances can take free ports', () => {
    const config = load({ env: { CALLPANE_HTTP_PORT: '0', CALLPANE_SIP_PORT: '0' } });
    assert.equal(config.http.port, 0);
    assert.equal(config.sip.port, 0);
  });

  test('relative paths are taken from the working directory', () => {
    assert.equal(load({ env: { CALLPANE_DATA_DIR: 'state/here' } }).dataDir, join(dir, 'state/here'));
  });

  test('the public URL loses its trailing slash', () => {
    assert.equal(load({ env: { CALLPANE_HTTP_PUBLIC_URL: 'https://PBX.example.test/' } }).http.publicUrl, 'https://pbx.example.test');
  });
});

describe('validation errors', () => {
  test('name the key, its variable, the value and what is allowed', () => {
    assert.throws(() => load({ env: { CALLPANE_HTTP_PORT: '99999' } }), {
      name: 'ConfigError',
      message: 'Invalid configuration: http.port (CALLPANE_HTTP_PORT) = "99999": must be an integer from 0 to 65535 (0 picks a free port)',
    });
  });

  const cases: Array<[string, string, string, RegExp]> = [
    ['dataDir', 'CALLPANE_DATA_DIR', '', /must be a directory path/],
    ['http.host', 'CALLPANE_HTTP_HOST', 'not a host!', /must be an IP address or host name/],
    ['http.port', 'CALLPANE_HTTP_PORT', 'eighty', /must be an integer from 0 to 65535/],
    ['http.publicUrl', 'CALLPANE_HTTP_PUBLIC_URL', 'ftp://x.test', /must be an absolute http:\/\/ or https:\/\/ URL/],
    ['sip.host', 'CALLPANE_SIP_HOST', 'a b', /must be an IP address or host name/],
    ['sip.port', 'CALLPANE_SIP_PORT', '-1', /must be an integer from 0 to 65535/],
    ['sip.tlsPort', 'CALLPANE_SIP_TLS_PORT', '1.5', /must be an integer from 0 to 65535/],
    ['sip.advertisedHost', 'CALLPANE_SIP_ADVERTISED_HOST', 'host:5060', /must be an IP address or host name, without a port/],
    ['sip.domain', 'CALLPANE_SIP_DOMAIN', 'bad_domain', /must be a host name or IP address/],
    ['sip.transports', 'CALLPANE_SIP_TRANSPORTS', 'udp,sctp', /must be a non-empty list of udp, tcp, ws, tls/],
    ['sip.wsPath', 'CALLPANE_SIP_WS_PATH', 'sip', /must be a path starting with "\/"/],
    ['sip.digestAlgorithms', 'CALLPANE_SIP_DIGEST_ALGORITHMS', 'MD5,SHA-1', /must be a non-empty list of MD5, SHA-256 \(most preferred first\)/],
    ['registrar.minExpires', 'CALLPANE_REGISTRAR_MIN_EXPIRES', '0', /must be an integer from 1 to 86400/],
    ['registrar.maxExpires', 'CALLPANE_REGISTRAR_MAX_EXPIRES', 'lots', /must be an integer from 1 to 86400/],
    ['registrar.defaultExpires', 'CALLPANE_REGISTRAR_DEFAULT_EXPIRES', '99999999', /must be an integer from 1 to 86400/],
    ['security.authFailures.limit', 'CALLPANE_SECURITY_AUTH_FAILURES_LIMIT', '0', /must be an integer from 1 to 1000/],
    ['security.authFailures.windowSeconds', 'CALLPANE_SECURITY_AUTH_FAILURES_WINDOW_SECONDS', 'x', /must be an integer from 1 to 86400/],
    ['security.authFailures.banSeconds', 'CALLPANE_SECURITY_AUTH_FAILURES_BAN_SECONDS', '0', /must be an integer from 1 to 604800/],
    ['log.level', 'CALLPANE_LOG_LEVEL', 'loud', /must be one of fatal, error, warn, info, debug, trace, silent/],
    ['log.pretty', 'CALLPANE_LOG_PRETTY', 'yes please', /must be true or false/],
    ['demo.seedExtensions', 'CALLPANE_DEMO_SEED_EXTENSIONS', 'maybe', /must be true or false/],
    ['sip.wsFirstRequestSeconds', 'CALLPANE_SIP_WS_FIRST_REQUEST_SECONDS', '0', /must be an integer from 1 to 300/],
    ['sip.wsMaxConnectionsPerAddress', 'CALLPANE_SIP_WS_MAX_CONNECTIONS_PER_ADDRESS', 'lots', /must be an integer from 1 to 1000000/],
  ];
  for (const [key, envName, value, allowed] of cases) {
    test(`${key} from ${envName} = ${JSON.stringify(value)} is refused with its key, variable, value and allowed values`, () => {
      // An empty variable means unset, so the empty-value case goes through the file.
      const options: LoadConfigOptions = value === '' ? { argvConfigPath: writeJson(`${envName}.json`, { [key]: '' }) } : { env: { [envName]: value } };
      const problem = itemAt(problemsOf(options), 0);
      assert.ok(problem.startsWith(`${key} (${envName}) = ${JSON.stringify(value)}: `), problem);
      assert.match(problem, allowed);
    });
  }

  test('values from the file are shown as written there', () => {
    const file = writeJson('typed.json', { http: { port: '8080' }, log: { pretty: 'no' } });
    assert.deepEqual(problemsOf({ argvConfigPath: file }), [
      'http.port (CALLPANE_HTTP_PORT) = "8080": must be an integer from 0 to 65535 (0 picks a free port)',
      'log.pretty (CALLPANE_LOG_PRETTY) = "no": must be true or false (1 or 0 in the environment)',
    ]);
  });

  test('every problem is reported at once', () => {
    const problems = problemsOf({ env: { CALLPANE_HTTP_PORT: '99999', CALLPANE_LOG_LEVEL: 'loud', CALLPANE_SIP_PORT: 'x' } });
    assert.equal(problems.length, 3);
    assert.throws(() => load({ env: { CALLPANE_HTTP_PORT: '99999', CALLPANE_LOG_LEVEL: 'loud' } }), {
      message: /^Invalid configuration:\n {2}- http\.port .*\n {2}- log\.level /,
    });
  });

  test('every problem of a file is listed at once: the rules relating keys run on what is valid', () => {
    const port = 'sip.port (CALLPANE_SIP_PORT) = 99999: must be an integer from 0 to 65535 (0 picks a free port)';
    assert.deepEqual(problemsOf({ argvConfigPath: writeJson('port-and-tls.json', { sip: { transports: ['tls'], port: 99999 } }) }), [
      port,
      'sip.transports (CALLPANE_SIP_TRANSPORTS) = ["tls"]: tls needs tls.cert and tls.key',
    ]);
    // The valid items of a list stay in force; a port clash is found behind a misspelt transport.
    const clash = problemsOf({ argvConfigPath: writeJson('clash.json', { sip: { transports: ['tls', 'tpc'], port: 5061 } }) });
    assert.ok(clash.includes('sip.tlsPort (CALLPANE_SIP_TLS_PORT) = (not set): must differ from sip.port (both are TCP ports)'), clash.join('\n'));
    // A key the schema refused is never compared as its default; a broken trunk list is not checked against routes.
    const mixed = problemsOf({
      argvConfigPath: writeJson('mixed.json', {
        sip: { port: 'x' },
        registrar: { minExpires: 7200 },
        trunks: [{ name: 'A B' }],
        routes: { outbound: [{ pattern: '_X.', trunk: 'nope' }] },
      }),
    });
    assert.ok(mixed.includes('registrar.minExpires (CALLPANE_REGISTRAR_MIN_EXPIRES) = 7200: must not exceed registrar.maxExpires (3600)'), mixed.join('\n'));
    assert.ok(!mixed.some((problem) => problem.startsWith('routes.') || problem.startsWith('sip.tlsPort')), mixed.join('\n'));
    // The trunk whose name is refused is left out of the rules relating keys (its match with it).
    assert.equal(mixed.length, 3, mixed.join('\n'));
  });

  test('SIP over TCP or TLS cannot take the HTTP port on the same address', () => {
    assert.deepEqual(problemsOf({ env: { CALLPANE_SIP_PORT: '8080' } }), ['sip.port (CALLPANE_SIP_PORT) = "8080": must differ from http.port (8080): both are TCP ports']);
    assert.deepEqual(problemsOf({ env: { CALLPANE_SIP_HOST: '127.0.0.1', CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_SIP_PORT: '8080', CALLPANE_HTTP_PORT: '8080' } }).length, 1);
    assert.equal(load({ env: { CALLPANE_SIP_PORT: '8080', CALLPANE_SIP_TRANSPORTS: 'udp,ws' } }).sip.port, 8080, 'UDP and WebSocket do not take a TCP port of their own');
    assert.equal(load({ env: { CALLPANE_SIP_HOST: '127.0.0.2', CALLPANE_HTTP_HOST: '127.0.0.1', CALLPANE_SIP_PORT: '8080' } }).sip.port, 8080, 'two addresses');
  });

  test('unknown keys in the file are refused, at any depth', () => {
    const file = writeJson('typo.json', { htpp: { port: 1 }, sip: { prot: 5070 } });
    const problems = problemsOf({ argvConfigPath: file });
    assert.equal(problems.length, 2);
    assert.ok(
      problems.some((p) => /^htpp = \{"port":1\}: unknown key \(allowed here: dataDir, http, sip, /.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /^sip\.prot = 5070: unknown key \(allowed here: host, port, tlsPort, /.test(p)),
      problems.join('\n'),
    );
  });

  test('a section that is not an object is refused with its keys', () => {
    const file = writeJson('flat.json', { http: 8080 });
    assert.deepEqual(problemsOf({ argvConfigPath: file }), ['http = 8080: must be an object with the keys host, port, publicUrl, trustProxy']);
  });

  test('the registrar expiry bounds must be ordered', () => {
    assert.deepEqual(problemsOf({ env: { CALLPANE_REGISTRAR_MIN_EXPIRES: '7200' } }), [
      'registrar.minExpires (CALLPANE_REGISTRAR_MIN_EXPIRES) = "7200": must not exceed registrar.maxExpires (3600)',
    ]);
    assert.deepEqual(problemsOf({ env: { CALLPANE_REGISTRAR_DEFAULT_EXPIRES: '30' } }), [
      'registrar.defaultExpires (CALLPANE_REGISTRAR_DEFAULT_EXPIRES) = "30": must be from registrar.minExpires (60) to registrar.maxExpires (3600)',
    ]);
  });
});

describe('TLS', () => {
  test('certificate and key come both or not at all', () => {
    assert.deepEqual(problemsOf({ env: { CALLPANE_TLS_CERT: 'cert.pem' } }), ['tls.key (CALLPANE_TLS_KEY) = (not set): must be set together with tls.cert']);
    assert.deepEqual(problemsOf({ env: { CALLPANE_TLS_KEY: 'key.pem' } }), ['tls.cert (CALLPANE_TLS_CERT) = (not set): must be set together with tls.key']);
  });

  test('both files set turn on SIP over TLS by default', () => {
    writeFileSync(join(dir, 'cert.pem'), 'cert');
    writeFileSync(join(dir, 'key.pem'), 'key');
    const config = load({ env: { CALLPANE_TLS_CERT: 'cert.pem', CALLPANE_TLS_KEY: 'key.pem' } });
    assert.deepEqual(config.tls, { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
    assert.deepEqual(config.sip.transports, ['udp', 'tcp', 'ws', 'tls']);
  });

  test('files that cannot be read are refused', () => {
    const problems = problemsOf({ env: { CALLPANE_TLS_CERT: 'nope.pem', CALLPANE_TLS_KEY: 'nokey.pem' } });
    assert.equal(problems.length, 2);
    assert.match(itemAt(problems, 0), /^tls\.cert \(CALLPANE_TLS_CERT\) = "nope\.pem": must be a readable file \(.*nope\.pem: ENOENT\)$/);
  });

  test('the tls transport without certificate and key is refused', () => {
    assert.deepEqual(problemsOf({ env: { CALLPANE_SIP_TRANSPORTS: 'udp,tls' } }), ['sip.transports (CALLPANE_SIP_TRANSPORTS) = "udp,tls": tls needs tls.cert and tls.key']);
  });
});
