import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/..., so walk up to package.json). */
export const repoRoot = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

/** ../shared beside the repository (override with HUMANLIKE_SHARED). */
export const sharedDir = resolve(process.env['HUMANLIKE_SHARED'] ?? join(repoRoot, '..', 'shared'));
export const psych201Dir = join(sharedDir, 'psych201');
export const modelsDir = join(sharedDir, 'models');
export const hasPsych201 = existsSync(psych201Dir);
export const hasModels = existsSync(join(modelsDir, 'stories260K.gguf'));

/**
 * Where ../shared must be there (CI sets HUMANLIKE_REQUIRE_SHARED=1), the tests that need it run and fail instead of
 * skipping; elsewhere they skip with this reason (printed by the runner, never a silent pass).
 */
export const sharedRequired = process.env['HUMANLIKE_REQUIRE_SHARED'] === '1';
export const noSharedData =
  hasPsych201 || sharedRequired ? false : `../shared/psych201 not found at ${psych201Dir}: real-data tests skipped`;
export const noSharedModels = hasModels || sharedRequired ? false : `../shared/models not found at ${modelsDir}: model tests skipped`;

export const cliPath = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export function makeTempDir(prefix = 'humanlike-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
