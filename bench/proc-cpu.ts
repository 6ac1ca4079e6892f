/**
 * CPU time from Linux's /proc, for the media load bench: a process's user + system time over all
 * its threads (/proc/PID/stat fields 14 and 15, proc(5)), and the whole machine's busy time over
 * all cores (/proc/stat's `cpu` line: everything but idle and iowait), both in seconds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { itemAt, itemsAt } from '../test/support/item-at.ts';

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Seconds of CPU process `pid` has used so far. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Seconds of CPU the machine has been busy, summed over its cores (time stolen by the hypervisor left out). */
export function machineBusySeconds(): number {
  const line = itemAt(readFileSync('/proc/stat', 'utf8').split('\n'), 0);
  // cpu user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq] = itemsAt(line.trim().split(/\s+/).slice(1).map(Number), 0, 1, 2, 3, 4, 5, 6);
  return (user + nice + system + irq + softirq) / CLOCK_TICKS;
}
