// Copies MapLibre GL JS from node_modules into static/vendor, which the Go
// binary embeds. Runs after `npm ci --prefix web`; no network.
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(web, 'node_modules', 'maplibre-gl', 'dist');
const out = join(web, 'static', 'vendor');
mkdirSync(out, { recursive: true });
for (const f of ['maplibre-gl.js', 'maplibre-gl.css']) {
  copyFileSync(join(dist, f), join(out, f));
}
const lic = join(web, 'node_modules', 'maplibre-gl', 'LICENSE.txt');
if (existsSync(lic)) copyFileSync(lic, join(out, 'MAPLIBRE-LICENSE.txt'));
console.log('maplibre-gl copied to', out);
