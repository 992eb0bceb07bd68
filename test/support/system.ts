import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Whether a system program a test needs is missing. The tests need only Node to pass; a test that
 * needs redis-server, chromium, socat or openssl is skipped with one line naming the Debian package
 * when the program is missing, except under MICROMARKET_REQUIRE_SYSTEM (set by .ci/run, which
 * installs them), where a missing program fails.
 */
export function missing(program: string, debianPackage: string, what: string): boolean {
  const found = program.startsWith('/') ? existsSync(program) : spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
  if (found) return false;
  const reason = `${what}: no ${program} (Debian package ${debianPackage})`;
  if (process.env.MICROMARKET_REQUIRE_SYSTEM === '1') throw new Error(`${reason}, required by MICROMARKET_REQUIRE_SYSTEM`);
  console.warn(`SKIPPED ${reason}; apt-get install ${debianPackage} to run them`);
  return true;
}
