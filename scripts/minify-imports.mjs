// Shortens the names between a WASM and its wasm-bindgen glue: `wasm-opt
// --minify-imports-and-exports-and-modules` renames the WASM's imports, exports and import module
// (`__wbg_clearInterval_75e54e39df78e754` becomes `$`) and prints the mapping; this script renames
// the same names in the glue. Each import name carries a 16-digit hash gzip cannot compress, and
// appears in both files: about 6 KB gzip less for the inbox, 3 KB for the widget.
//
// Usage: node scripts/minify-imports.mjs GLUE.js MAPPING.json MODULE.wasm
// Run on the glue as wasm-bindgen writes it (before minification), which names the imports as
// keys of one object (`NAME: function(`) and the exports as `wasm.NAME`. Fails, changing nothing,
// if any import is not found exactly once: the glue and the WASM must never disagree.
import { readFileSync, writeFileSync } from 'node:fs';

const [glueFile, mapFile, wasmFile] = process.argv.slice(2);
const map = JSON.parse(readFileSync(mapFile, 'utf8'));
let glue = readFileSync(glueFile, 'utf8');
const fail = (why) => { console.error(`minify-imports: ${why}`); process.exit(1); };

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const imported = new Set();
for (const [module, name, short] of map.imports) {
  imported.add(module);
  const key = new RegExp(`^(\\s+)${escape(name)}:`, 'gm');
  const found = glue.match(key)?.length ?? 0;
  if (found !== 1) fail(`import ${name} found ${found} times in ${glueFile}`);
  glue = glue.replace(key, (_, indent) => `${indent}${JSON.stringify(short)}:`);
}
for (const [name, short] of map.exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(name)}\\b`, 'g'), `wasm[${JSON.stringify(short)}]`);
}
// The module names the WASM imports from now, read from the WASM itself.
const modules = [...new Set(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmFile))).map((i) => i.module))];
if (imported.size !== 1 || modules.length !== 1) fail(`expected one import module, got ${[...imported]} → ${modules}`);
const [from] = imported;
const quoted = new RegExp(`${escape(JSON.stringify(from))}:`, 'g');
if ((glue.match(quoted)?.length ?? 0) !== 1) fail(`module ${from} not found once in ${glueFile}`);
glue = glue.replace(quoted, `${JSON.stringify(modules[0])}:`);
writeFileSync(glueFile, glue);
