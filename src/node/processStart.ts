/**
 * When a process started, to tell a run's writer from a later process that reuses its PID. On
 * Linux: the start time in clock ticks since boot (field 22 of /proc/PID/stat) and the boot's id
 * (/proc/sys/kernel/random/boot_id), so a reboot also counts as a different process. Elsewhere:
 * undefined, and callers fall back to the PID alone.
 */
import { readFileSync } from 'node:fs';

export interface ProcessStart {
  /** The boot the process belongs to. */
  boot: string;
  /** Start time since that boot, in clock ticks. */
  start: string;
}

let bootId: string | undefined | null = null;

function currentBoot(): string | undefined {
  if (bootId === null) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      bootId = undefined;
    }
  }
  return bootId;
}

export function processStart(pid: number): ProcessStart | undefined {
  const boot = currentBoot();
  if (!boot || !Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19]; // field 22 overall; fields[0] is field 3 (state)
    return start && /^\d+$/.test(start) ? { boot, start } : undefined;
  } catch {
    return undefined;
  }
}
