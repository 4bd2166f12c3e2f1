// Writes `.gz` and `.br` next to every compressible file of dist/, so the appliance serves
// precompressed bytes (best compression, paid once at build time) instead of compressing
// per request. Prints the gzipped JavaScript total: the first-load budget is 300 KB.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|webmanifest)$/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let jsGzip = 0;
for (const path of [...files("dist")]) {
  if (!COMPRESSIBLE.test(path)) continue;
  const raw = readFileSync(path);
  const gz = gzipSync(raw, { level: 9 });
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  writeFileSync(`${path}.gz`, gz);
  writeFileSync(`${path}.br`, br);
  if (path.endsWith(".js")) jsGzip += gz.length;
}
console.log(`web: ${(jsGzip / 1024).toFixed(1)} KiB of gzipped JavaScript in all chunks`);
