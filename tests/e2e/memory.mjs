// The memory and start time of the app's processes, read from /proc (Linux), for the
// footprint script and the footprint test.

import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';

function stat(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** `pid` and every process below it. */
export function processTree(pid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    const p = Number(name);
    if (!Number.isInteger(p)) continue;
    try {
      const parent = Number(stat(p)[1]);
      children.set(parent, [...(children.get(parent) ?? []), p]);
    } catch {
      // gone while we looked
    }
  }
  const out = [];
  const walk = (p) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** Proportional set size in MB of each of the app's processes, by name (shell, web, network). */
export function pssByProcess(pid) {
  const byProcess = {};
  for (const p of processTree(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      const kb = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      const name = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      byProcess[name] = (byProcess[name] ?? 0) + kb / 1024;
    } catch {
      // gone while we looked
    }
  }
  return byProcess;
}

/** The app's resident memory in MB with each physical page counted once, however many of
 * its processes map it: PSS as it would be were the app alone. PSS divides a shared
 * library's pages among every process mapping it, so another WebKit app running beside
 * it (another test run on a shared machine) lowers the app's PSS; this does not move.
 * Reads the page frames from /proc/PID/pagemap, which needs root; null without. */
export function residentOnce(pids) {
  const frames = new Set();
  for (const p of pids) {
    let fd;
    try {
      const smaps = readFileSync(`/proc/${p}/smaps`, 'utf8');
      fd = openSync(`/proc/${p}/pagemap`, 'r');
      let range = null;
      for (const line of smaps.split('\n')) {
        const head = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
        if (head) {
          range = [Number(BigInt(`0x${head[1]}`) / 4096n), Number(BigInt(`0x${head[2]}`) / 4096n)];
          continue;
        }
        const rss = /^Rss:\s+(\d+)/.exec(line);
        if (!range || !rss || rss[1] === '0') continue;
        // One 8-byte entry per page: bit 63 says present, bits 0–54 the frame.
        for (let page = range[0]; page < range[1]; page += 65536) {
          const buffer = Buffer.alloc(Math.min(65536, range[1] - page) * 8);
          readSync(fd, buffer, 0, buffer.length, page * 8);
          for (let i = 0; i < buffer.length; i += 8) {
            const entry = buffer.readBigUInt64LE(i);
            if (entry >> 63n) frames.add(entry & 0x7fffffffffffffn);
          }
        }
      }
    } catch {
      // gone while we looked
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  // Without root every frame reads as 0.
  return frames.size > 1 ? (frames.size * 4096) / 1048576 : null;
}

/** WebKit's web and network processes on this machine that are not the app's (they
 * share its libraries, so they lower its PSS). */
export function neighbours(pid) {
  const ours = new Set(processTree(pid));
  return readdirSync('/proc').filter((name) => {
    const p = Number(name);
    if (!Number.isInteger(p) || ours.has(p)) return false;
    try {
      return /^WebKit(WebProces|NetworkPr)/.test(readFileSync(`/proc/${p}/comm`, 'utf8'));
    } catch {
      return false;
    }
  }).length;
}

export const total = (byProcess) => Object.values(byProcess).reduce((a, b) => a + b, 0);

/** When `pid` started, in ms since the epoch (from /proc: ticks since boot). */
export function startedAt(pid) {
  const ticks = Number(stat(pid)[19]);
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - uptimeS * 1000 + (ticks / 100) * 1000;
}

/** The app's process ids by their names (the shell, WebKitWebProces, WebKitNetworkPr). */
export function processesByName(pid) {
  const byName = {};
  for (const p of processTree(pid)) {
    try {
      byName[readFileSync(`/proc/${p}/comm`, 'utf8').trim()] = p;
    } catch {
      // gone while we looked
    }
  }
  return byName;
}
