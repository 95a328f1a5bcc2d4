// A directory laid out like a mounted ConfigMap: files are links into ..data, which is swapped atomically.
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class ConfigMapDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'si-cm-'));
  private n = 0;
  private linked = new Set<string>();
  constructor(files: Record<string, string>) {
    this.write(files);
  }
  write(files: Record<string, string>): void {
    const ts = join(this.dir, `..${++this.n}`);
    mkdirSync(ts);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(ts, f), text);
    symlinkSync(`..${this.n}`, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data')); // the atomic swap kubelet does
    for (const f of Object.keys(files)) {
      if (this.linked.has(f)) continue;
      symlinkSync(join('..data', f), join(this.dir, f));
      this.linked.add(f);
    }
  }
}
