// Builds the vendored browser bundle of PKIjs used by templates/pages/static/sign.js:
//
//   templates/pages/static/vendor/pkijs.min.js   one minified IIFE, no imports, no CDN
//   templates/pages/static/vendor/LICENSES.txt   the licence of every package inside it
//
// Usage (from this directory; node_modules is git-ignored):
//
//   npm ci            # exact versions from package-lock.json
//   node build.mjs    # or: npm run build
//
// The bundle defines one global, `RuqsatPki`:
//
//   RuqsatPki.pkijs     the whole `pkijs` module namespace (PFX, SignedData, setEngine, ...)
//   RuqsatPki.asn1js    the whole `asn1js` module namespace (fromBER, UTCTime, ...)
//   RuqsatPki.versions  { "pkijs": "4.0.0", ... } the bundled package versions
//
// It is a classic script (not an ES module) so that pages load it with
// <script src="{{ asset('vendor/pkijs.min.js') }}" defer> like any other asset, with the
// content version in the URL (assets are served `immutable`). Tree-shaking to the classes
// sign.js uses saves only ~2% (PKIjs registers all its ASN.1 types in factories), so the
// whole API is exported.
//
// The build is deterministic: the same lock file gives the same bytes (the README records
// the SHA-256 of the committed bundle; `node build.mjs --check` compares without writing).

import { createHash } from "node:crypto";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, "../../../templates/pages/static/vendor");
const bundlePath = path.join(outDir, "pkijs.min.js");
const licensesPath = path.join(outDir, "LICENSES.txt");
const check = process.argv.includes("--check");

async function pkg(dir) {
  return JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
}

// The package directory (…/node_modules/<name>) an esbuild input path belongs to.
function packageDirOf(input) {
  const abs = path.resolve(here, input);
  const parts = abs.split(path.sep);
  const i = parts.lastIndexOf("node_modules");
  if (i < 0) return null;
  const n = parts[i + 1].startsWith("@") ? 2 : 1;
  return parts.slice(0, i + 1 + n).join(path.sep);
}

const pkijsPkg = await pkg(path.join(here, "node_modules/pkijs"));
const asn1Pkg = await pkg(path.join(here, "node_modules/asn1js"));

// First pass: find which packages end up in the bundle (from the metafile), so that the
// banner, `versions` and LICENSES.txt list exactly those.
const entry = (versions) => `
export * as pkijs from "pkijs";
export * as asn1js from "asn1js";
export const versions = Object.freeze(${JSON.stringify(versions)});
`;
const options = (contents, banner) => ({
  stdin: { contents, resolveDir: here, sourcefile: "ruqsat-pki-entry.js", loader: "js" },
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "RuqsatPki",
  platform: "browser",
  // BigInt (asn1js) needs ES2020; newer syntax (class static blocks, ...) is lowered.
  target: ["es2020"],
  legalComments: "none",
  banner: { js: banner },
  charset: "utf8",
  metafile: true,
  write: false,
  logLevel: "warning",
});

const probe = await esbuild.build(options(entry({}), ""));
const dirs = [
  ...new Set(Object.keys(probe.metafile.inputs).map(packageDirOf).filter(Boolean)),
].sort();
const packages = [];
for (const dir of dirs) {
  const p = await pkg(dir);
  const licenceFile = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "license"]
    .map((f) => path.join(dir, f))
    .find((f) => existsSync(f));
  if (!licenceFile) throw new Error(`${p.name}@${p.version}: no licence file in ${dir}`);
  packages.push({ name: p.name, version: p.version, license: p.license, licenceFile });
}
// pkijs first, then asn1js, then the rest by name.
const rank = (n) => (n === "pkijs" ? 0 : n === "asn1js" ? 1 : 2);
packages.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));

const versions = Object.fromEntries(packages.map((p) => [p.name, p.version]));
const banner =
  `/*! Ruqsat vendor bundle (tests/browser/vendor/build.mjs, esbuild ${esbuild.version}): ` +
  packages.map((p) => `${p.name}@${p.version} (${p.license})`).join(", ") +
  `. Licences: LICENSES.txt next to this file. */`;

const result = await esbuild.build(options(entry(versions), banner));
const bundle = Buffer.from(result.outputFiles[0].contents);

let licences =
  "Licences of the packages bundled in pkijs.min.js (built by tests/browser/vendor/build.mjs)\n" +
  "===========================================================================================\n";
for (const p of packages) {
  const text = (await readFile(p.licenceFile, "utf8")).replace(/\r\n/g, "\n").trimEnd();
  licences +=
    `\n\n----------------------------------------------------------------------\n` +
    `${p.name}@${p.version} — ${p.license}\n` +
    `https://www.npmjs.com/package/${p.name}/v/${p.version}\n` +
    `----------------------------------------------------------------------\n\n` +
    text +
    "\n";
}

const sha256 = createHash("sha256").update(bundle).digest("hex");
if (check) {
  const current = existsSync(bundlePath) ? await readFile(bundlePath) : Buffer.alloc(0);
  const same = Buffer.compare(current, bundle) === 0;
  const currentLicences = existsSync(licensesPath) ? await readFile(licensesPath, "utf8") : "";
  const sameLicences = currentLicences === licences;
  console.log(`${same ? "same" : "DIFFERENT"} bundle ${sha256} (${bundle.length} bytes)`);
  console.log(`${sameLicences ? "same" : "DIFFERENT"} LICENSES.txt`);
  process.exit(same && sameLicences ? 0 : 1);
}

await mkdir(outDir, { recursive: true });
await writeFile(bundlePath, bundle);
await writeFile(licensesPath, licences);
console.log(`wrote ${path.relative(process.cwd(), bundlePath)}: ${bundle.length} bytes, sha256 ${sha256}`);
console.log(`wrote ${path.relative(process.cwd(), licensesPath)}`);
for (const p of packages) console.log(`  ${p.name}@${p.version} ${p.license}`);
if (pkijsPkg.version !== versions.pkijs || asn1Pkg.version !== versions.asn1js) {
  throw new Error("pkijs/asn1js versions in node_modules do not match the bundle");
}
