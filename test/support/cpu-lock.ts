import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './process.js';

/**
 * Runs `work` while no other test file of this run holds the lock: for what measures time (the
 * anti-enumeration medians) and what saturates both cores for a minute (the bench smoke run), so
 * that the one never lands on the other. The other files keep running meanwhile. npm test names a
 * directory of the run in TEST_LOCK_DIR; a file run without it runs `work` at once. A lock whose
 * holder died is taken over.
 */
export async function withCpuLock<T>(work: () => Promise<T>): Promise<T> {
  const dir = process.env.TEST_LOCK_DIR;
  if (!dir) return work();
  const lock = join(dir, 'cpu');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (holderDied(lock)) rmSync(lock, { recursive: true, force: true });
      else await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function holderDied(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // just made, its pid not yet written
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
