/**
 * Which final response a forking proxy passes up when no branch answered 2xx (RFC 3261 §16.7
 * step 6): a 6xx beats everything (the callee declined everywhere); otherwise the lowest class
 * wins, so a 486 from a busy phone beats a 503 from an unreachable one; within a class the first
 * one received stays. A 408 or 480 from a branch that was given up on loses to a real answer.
 */
export function betterFinal(candidate: number, current: number): boolean {
  return rank(candidate) < rank(current);
}

function rank(status: number): number {
  if (status >= 600) return 0;
  // Answers that say nothing about the callee rank last within 4xx.
  if (status === 408 || status === 480 || status === 487) return 4.5;
  return Math.floor(status / 100);
}
