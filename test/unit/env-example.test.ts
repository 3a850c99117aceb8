import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** Every variable loadConfig reads, found in its source: a new setting cannot skip the docs. */
function settingsReadByConfig(): string[] {
  const source = readFileSync(join(root, 'src', 'config.ts'), 'utf8');
  const names = [
    ...source.matchAll(/env\.([A-Z][A-Z0-9_]*)/g),
    ...source.matchAll(/\(\s*env,\s*'([A-Z][A-Z0-9_]*)'/g),
    ...source.matchAll(/'([A-Z][A-Z0-9_]*)'(?=[,\]])/g),
  ].map((m) => m[1]!);
  return [...new Set(names)].sort();
}

describe('.env.example', () => {
  it('lists every setting src/config.ts reads, each with a line saying what it means', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const settings = settingsReadByConfig();
    expect(settings).toEqual(expect.arrayContaining(['DATABASE_URL', 'ROUTER_SECRET']));
    for (const name of settings) {
      const line = new RegExp(`(^|\\n)#[^\\n]+\\n(# [A-Z_]+=[^\\n]*\\n)*# ${name}=`);
      expect({ name, documented: line.test(example) }).toEqual({ name, documented: true });
    }
  });
});
