// The settings Istio's goldens were made with (test/fixtures/istio/settings), loaded the way a user
// would load them: the same files through buildSettings, plus per-case --set overrides.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTemplatesDir } from '../../src/config/files.ts';
import { buildSettings, type NativeSidecarMode, type Settings } from '../../src/core/settings/index.ts';

// Istio's own test data (Apache-2.0; see its CASES.md), copied verbatim into the repository so CI
// needs nothing outside the clone.
export const ISTIO_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'istio');
export const VALUES_FILE = join(ISTIO_FIXTURES, 'settings', 'injector-values.json');
export const MESH_FILE = join(ISTIO_FIXTURES, 'settings', 'mesh.yaml');

const builtin = readTemplatesDir();

export function istioTestSettings(
  opts: { sets?: string[]; native?: NativeSidecarMode; templates?: Record<string, string>; valuesFiles?: string[]; meshFile?: string } = {},
): Settings {
  return buildSettings({
    values: [VALUES_FILE, ...(opts.valuesFiles ?? [])].map((f) => readFileSync(f, 'utf8')),
    mesh: readFileSync(opts.meshFile || MESH_FILE, 'utf8'),
    sets: opts.sets ?? [],
    templates: { ...builtin, ...(opts.templates ?? {}) },
    nativeSidecars: opts.native ?? 'true',
  });
}

export function defaultSettings(opts: { sets?: string[]; native?: NativeSidecarMode; reuse?: boolean } = {}): Settings {
  return buildSettings({ templates: builtin, sets: opts.sets ?? [], nativeSidecars: opts.native ?? 'true', reuse: opts.reuse });
}
