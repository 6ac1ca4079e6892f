/**
 * Start-up checks that relate configuration entries to each other, which a per-field schema
 * cannot express: unique trunk names and usernames, how each trunk is recognised and reached,
 * routes that name real trunks, strip/prepend that leave a dialable number, and routes that can
 * never match because an earlier one (first match wins) matches everything they do.
 * Each problem names its path so the configuration loader reports it like any other.
 */
import { coversDialPattern, mayStartWithPlus, parseDialPattern, shortestMatch, type DialPattern } from './dial-pattern.ts';
import { withoutPlus } from './inbound-router.ts';
import type { Routes } from './routes.ts';
import type { Trunk } from './trunk.ts';

export interface RoutingProblem {
  /** Path of the offending value, e.g. `['routes', 'outbound', 2, 'trunk']`. */
  path: (string | number)[];
  message: string;
}

function trunkProblems(trunks: readonly Trunk[], problems: RoutingProblem[]): void {
  const firstByName = new Map<string, number>();
  const firstByUsername = new Map<string, number>();
  trunks.forEach((trunk, index) => {
    const earlier = firstByName.get(trunk.name);
    if (earlier !== undefined) problems.push({ path: ['trunks', index, 'name'], message: `must be unique: trunks[${earlier}] has the same name` });
    else firstByName.set(trunk.name, index);

    const { addresses, username, password } = trunk.match;
    if ((username === undefined) !== (password === undefined)) {
      const missing = username === undefined ? 'username' : 'password';
      problems.push({ path: ['trunks', index, 'match', missing], message: `must be set together with match.${missing === 'username' ? 'password' : 'username'}` });
    }
    if (addresses === undefined && username === undefined && password === undefined && trunk.register === undefined) {
      problems.push({
        path: ['trunks', index, 'match'],
        message: 'must name addresses, or a username and password, or both (or the trunk must register): otherwise nothing identifies the trunk',
      });
    }
    if (trunk.register !== undefined) registerProblems(trunk, index, problems);
    if (username !== undefined) {
      const sameUser = firstByUsername.get(username);
      if (sameUser !== undefined) problems.push({ path: ['trunks', index, 'match', 'username'], message: `must be unique: trunks[${sameUser}] has the same username` });
      else firstByUsername.set(username, index);
    }
    if (trunk.transport === 'ws') {
      if (trunk.host !== undefined)
        problems.push({ path: ['trunks', index, 'host'], message: 'must not be set with transport ws: a WebSocket peer is reached over the connection it registered on' });
      if (username === undefined)
        problems.push({ path: ['trunks', index, 'match', 'username'], message: 'is needed with transport ws: a WebSocket peer must register to be reachable' });
    } else if (trunk.host === undefined && username === undefined && trunk.register === undefined) {
      problems.push({
        path: ['trunks', index, 'host'],
        message: 'is needed unless the trunk registers with match.username and match.password (calls then go to where it registered)',
      });
    }
  });
}

/**
 * Registering to a trunk needs somewhere to send the REGISTER and credentials to answer its
 * challenge with; a WebSocket peer connects to us and cannot be registered to.
 */
function registerProblems(trunk: Trunk, index: number, problems: RoutingProblem[]): void {
  if (trunk.transport === 'ws')
    problems.push({ path: ['trunks', index, 'register'], message: 'cannot be used with transport ws: Callpane registers only to a host over udp, tcp or tls' });
  else if (trunk.host === undefined) problems.push({ path: ['trunks', index, 'host'], message: 'is needed with register: the REGISTER is sent to the trunk host' });
  if (trunk.outbound === undefined)
    problems.push({ path: ['trunks', index, 'outbound'], message: 'is needed with register: outbound.username and outbound.password are the account registered' });
}

/** Each entry compiled, or undefined when the schema already reported its syntax. */
function compileAll(sources: readonly string[]): (DialPattern | undefined)[] {
  return sources.map((source) => {
    try {
      return parseDialPattern(source);
    } catch {
      return undefined;
    }
  });
}

function shadowProblems(
  list: 'inbound' | 'outbound',
  key: 'did' | 'pattern',
  sources: readonly string[],
  compiled: readonly (DialPattern | undefined)[],
  problems: RoutingProblem[],
): void {
  compiled.forEach((later, index) => {
    if (!later) return;
    const earlier = compiled.findIndex((candidate, before) => before < index && candidate !== undefined && coversDialPattern(candidate, later));
    if (earlier >= 0) {
      problems.push({
        path: ['routes', list, index, key],
        message: `can never match: routes.${list}[${earlier}] (${JSON.stringify(sources[earlier])}) comes first and matches every number this one does`,
      });
    }
  });
}

function outboundProblems(routes: Routes, trunks: readonly Trunk[], problems: RoutingProblem[]): void {
  const names = trunks.map((trunk) => trunk.name);
  const compiled = compileAll(routes.outbound.map((route) => route.pattern));
  routes.outbound.forEach((route, index) => {
    if (!names.includes(route.trunk)) {
      const known = names.length > 0 ? `one of ${names.join(', ')}` : 'a configured trunk, and no trunks are configured';
      problems.push({ path: ['routes', 'outbound', index, 'trunk'], message: `must name ${known}` });
    }
    const pattern = compiled[index];
    if (!pattern) return;
    const strip = route.strip ?? 0;
    const prepend = route.prepend ?? '';
    const shortest = shortestMatch(pattern);
    if (strip > shortest || (strip === shortest && prepend === '')) {
      problems.push({
        path: ['routes', 'outbound', index, 'strip'],
        message: `must leave something to dial: ${JSON.stringify(route.pattern)} matches numbers as short as ${shortest} characters`,
      });
    }
    if (prepend !== '' && strip === 0 && mayStartWithPlus(pattern)) {
      problems.push({
        path: ['routes', 'outbound', index, 'prepend'],
        message: `would go in front of the "+" that numbers matching ${JSON.stringify(route.pattern)} may start with; strip it (strip: 1) or narrow the pattern`,
      });
    }
  });
  shadowProblems(
    'outbound',
    'pattern',
    routes.outbound.map((route) => route.pattern),
    compiled,
    problems,
  );
}

/** Every cross-entry problem of the trunks and routes, in configuration order; empty when all is well. */
export function routingProblems(trunks: readonly Trunk[], routes: Routes): RoutingProblem[] {
  const problems: RoutingProblem[] = [];
  trunkProblems(trunks, problems);
  const dids = routes.inbound.map((route) => route.did);
  shadowProblems('inbound', 'did', dids, compileAll(dids.map(withoutPlus)), problems);
  outboundProblems(routes, trunks, problems);
  return problems;
}
