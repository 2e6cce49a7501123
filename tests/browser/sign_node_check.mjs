// End-to-end check of in-browser signing, run in Node (>= 20: globalThis.crypto.subtle is
// WebCrypto, which pkijs picks up like in a browser):
//
//   templates/pages/static/vendor/pkijs.min.js + templates/pages/static/sign.js
//   → RuqsatSign.signDetached(p12, password, payload)
//   → openssl cms -verify against the demo root CA (and `ruqsat verify` when given)
//
// Usage:
//
//   node tests/browser/sign_node_check.mjs --data-dir /path/to/data \
//        [--users aigerim,daulet] [--password ruqsat-demo] [--out DIR] \
//        [--ca-file {data_dir}/pki/root-ca.pem] [--ruqsat /path/to/ruqsat]
//        [--base-url http://127.0.0.1:18181]
//
// The demo PKI is written by the server on its first start (`ruqsat serve` with
// RUQSAT_DATA_DIR): {data_dir}/pki/users/<login>.p12, password `ruqsat-demo`.
// For every user the check signs a payload, writes <out>/<login>.p7s (DER) and
// <out>/payload.bin, and asserts:
//   * the CMS is detached SignedData with one SignerInfo, SHA-256, signed attributes
//     contentType=id-data, messageDigest, signingTime, and every p12 certificate, leaf first;
//   * `openssl cms -verify -binary -inform DER -purpose any` succeeds with the root CA;
//   * the same command fails on a modified payload;
//   * a wrong password gives SignError("wrong-password"), and the imported key is
//     non-extractable.
// With --base-url URL (a running server on that data dir) it also goes through the API as
// each user (password `<login>-demo`): creates a request (aigerim: phc-attachment in
// Mangystau; daulet: disabled-child-support with its five documents), submits it, GETs the
// signing payload, signs it with signDetached and POSTs the DER to
// /api/v1/requests/{number}/signature, expecting 200 and the state that follows.
// Exit status 0 when everything passed.

import { readFile, writeFile, mkdtemp, mkdir, readdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const staticDir = path.resolve(here, "../../templates/pages/static");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const dataDir = arg("data-dir", process.env.RUQSAT_DATA_DIR);
if (!dataDir) {
  console.error("usage: node sign_node_check.mjs --data-dir DIR [--users a,b] [--out DIR] [--ca-file PEM] [--ruqsat BIN]");
  process.exit(2);
}
const users = arg("users", "aigerim,daulet").split(",").filter(Boolean);
const password = arg("password", "ruqsat-demo");
const outDir = arg("out", null) || (await mkdtemp(path.join(os.tmpdir(), "ruqsat-sign-")));
await mkdir(outDir, { recursive: true });
const ruqsatBin = arg("ruqsat", null);
const baseUrl = arg("base-url", null);

async function findRootCa() {
  const explicit = arg("ca-file", null);
  if (explicit) return explicit;
  const pki = path.join(dataDir, "pki");
  const direct = path.join(pki, "root-ca.pem");
  if (existsSync(direct)) return direct;
  const found = [];
  const walk = async (dir) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/root.*\.(pem|crt)$/i.test(e.name)) found.push(p);
    }
  };
  await walk(pki);
  if (found.length === 0) throw new Error(`no root CA (*root*.pem) under ${pki}; pass --ca-file`);
  return found.sort()[0];
}

// Load the two browser scripts exactly as a page would (classic scripts, shared globals).
for (const f of ["vendor/pkijs.min.js", "sign.js"]) {
  const file = path.join(staticDir, f);
  vm.runInThisContext(await readFile(file, "utf8"), { filename: file });
}
const { RuqsatPki, RuqsatSign } = globalThis;
const { pkijs, asn1js } = RuqsatPki;

let failures = 0;
function check(ok, what) {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}

// Runs a command; `out` is its stdout then its stderr (openssl reports on stderr).
function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error) return { ok: false, out: String(r.error) };
  return { ok: r.status === 0, out: `${r.stdout || ""}${r.stderr || ""}` };
}

const hex = (buf) => Buffer.from(buf).toString("hex");

function describeCms(der) {
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1) throw new Error("CMS is not DER");
  const ci = new pkijs.ContentInfo({ schema: asn1.result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  const si = sd.signerInfos[0];
  const attrs = (si.signedAttrs ? si.signedAttrs.attributes : []).map((a) => a.type);
  return { ci, sd, si, attrs };
}

const rootCa = await findRootCa();
console.log(`bundle: pkijs ${RuqsatPki.versions.pkijs}, asn1js ${RuqsatPki.versions.asn1js}; node ${process.version}`);
console.log(`root CA: ${rootCa}`);
console.log(`output:  ${outDir}`);

const payload = new TextEncoder().encode(
  JSON.stringify({ check: "ruqsat in-browser signing", at: new Date().toISOString(), text: "Рұқсат — өтініш" }),
);
const payloadPath = path.join(outDir, "payload.bin");
await writeFile(payloadPath, payload);
const tamperedPath = path.join(outDir, "payload-tampered.bin");
await writeFile(tamperedPath, Buffer.concat([Buffer.from(payload), Buffer.from(" ")]));

for (const login of users) {
  const p12Path = path.join(dataDir, "pki", "users", `${login}.p12`);
  console.log(`\n== ${login}: ${p12Path}`);
  const p12 = await readFile(p12Path);
  const p12Bytes = p12.buffer.slice(p12.byteOffset, p12.byteOffset + p12.byteLength);

  const t0 = Date.now();
  const km = await RuqsatSign.openPkcs12(p12Bytes, password);
  console.log(`  key: ${km.keyType} ${JSON.stringify(km.privateKey.algorithm)}, opened in ${Date.now() - t0} ms`);
  console.log(`  leaf: ${km.certificate.subject.typesAndValues.map((t) => `${t.type}=${t.value.valueBlock.value}`).join(", ")}`);
  check(km.privateKey.extractable === false, "private key imported non-extractable");
  check(km.chain[0] === km.certificate, `chain leaf first (${km.chain.length} certificates)`);

  const t1 = Date.now();
  const der = await RuqsatSign.signDetached(p12Bytes, password, payload.buffer);
  console.log(`  signDetached: ${der.byteLength} bytes DER in ${Date.now() - t1} ms`);
  const sigPath = path.join(outDir, `${login}.p7s`);
  await writeFile(sigPath, Buffer.from(der));

  const { ci, sd, si, attrs } = describeCms(der);
  check(ci.contentType === "1.2.840.113549.1.7.2", "ContentInfo is signedData");
  check(sd.encapContentInfo.eContentType === "1.2.840.113549.1.7.1" && !sd.encapContentInfo.eContent, "detached id-data");
  check(sd.signerInfos.length === 1, "exactly one SignerInfo");
  check(si.digestAlgorithm.algorithmId === "2.16.840.1.101.3.4.2.1", "digest SHA-256");
  check(
    si.signatureAlgorithm.algorithmId === (km.keyType === "RSA" ? "1.2.840.113549.1.1.11" : "1.2.840.10045.4.3.2"),
    `signature algorithm ${si.signatureAlgorithm.algorithmId}`,
  );
  check(
    ["1.2.840.113549.1.9.3", "1.2.840.113549.1.9.4", "1.2.840.113549.1.9.5"].every((t) => attrs.includes(t)) && attrs.length === 3,
    `signed attributes ${attrs.join(", ")}`,
  );
  const md = si.signedAttrs.attributes.find((a) => a.type === "1.2.840.113549.1.9.4").values[0].valueBlock.valueHexView;
  const digest = await crypto.subtle.digest("SHA-256", payload);
  check(hex(md) === hex(digest), "messageDigest = SHA-256(payload)");
  const certs = sd.certificates || [];
  check(
    certs.length === km.chain.length && certs.every((c, i) => hex(c.toSchema().toBER(false)) === hex(km.chain[i].toSchema().toBER(false))),
    `certificates: all ${certs.length} of the p12, leaf first`,
  );
  check(certs.length >= 3, "leaf + intermediate + root included");

  const verifyArgs = (content) => [
    "cms", "-verify", "-binary", "-inform", "DER", "-in", sigPath, "-content", content,
    "-CAfile", rootCa, "-purpose", "any", "-out", "/dev/null",
  ];
  const v = run("openssl", verifyArgs(payloadPath));
  console.log(`  $ openssl ${verifyArgs(payloadPath).join(" ")}\n    ${v.out.trim().replace(/\n/g, "\n    ")}`);
  check(v.ok && /Verification successful/.test(v.out), "openssl cms -verify: Verification successful");
  const bad = run("openssl", verifyArgs(tamperedPath));
  check(!bad.ok, `openssl refuses a modified payload (${bad.out.trim().split("\n")[0]})`);

  if (ruqsatBin) {
    const crlDir = path.join(dataDir, "pki", "crl");
    const crls = existsSync(crlDir) ? (await readdir(crlDir)).map((f) => ["--crl", path.join(crlDir, f)]).flat() : [];
    const args = ["verify-signature", "--payload", payloadPath, "--cms", sigPath, "--trust", rootCa, ...crls];
    const r = run(ruqsatBin, args);
    console.log(`  $ ${ruqsatBin} ${args.join(" ")}\n    ${r.out.trim().replace(/\n/g, "\n    ")}`);
    check(r.ok, "ruqsat verify accepts it");
  }

  let code = null;
  try {
    await RuqsatSign.signDetached(p12Bytes, password + "-wrong", payload.buffer);
  } catch (e) {
    code = e && e.code;
  }
  check(code === "wrong-password", `wrong password → SignError("${code}")`);
}

// ---- Online: the server's own verifier, through the API -------------------------------

function kzDate(days) {
  const d = new Date(Date.now() + 5 * 3600 * 1000 + days * 86400 * 1000); // Asia/Almaty
  return d.toISOString().slice(0, 10);
}
const samplePdf = (title) =>
  `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${title}\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
const REQUESTS = {
  aigerim: {
    body: { service: "phc-attachment", channel: "portal", provider: "aktau-polyclinic-1",
            form: { address: "Ақтау қ., 14 шағын аудан, 5 үй" } },
    docs: [],
  },
  daulet: {
    body: { service: "disabled-child-support", channel: "portal", form: {
      applicant_name: "Даулет Серікұлы Омаров", address: "Шымкент қ., Тәуке хан даңғылы, 12",
      phone: "+7 701 555 12 34", email: "daulet@example.kz", relationship: "father",
      child_iin: "150606600013", child_name: "Әлия Даулетқызы Омарова", child_birth_date: "2015-06-06",
      disability_group: "child-under-16", disability_valid_until: kzDate(365),
      consultation_number: "ППК-2026/114", consultation_date: kzDate(-60),
      bank_name: "Halyk Bank", iban: "KZ86125KZT5004100100", delivery: "email" } },
    docs: ["birth-certificate", "residence", "consultation-conclusion", "disability-certificate", "bank-account"],
  },
};

async function api(token, method, url, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (body instanceof FormData || body instanceof Uint8Array || body instanceof ArrayBuffer) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const r = await fetch(new URL(url, baseUrl), init);
  const type = r.headers.get("content-type") || "";
  const data = type.includes("json") ? await r.json() : new Uint8Array(await r.arrayBuffer());
  return { status: r.status, data };
}

async function online(login) {
  const spec = REQUESTS[login];
  if (!spec) {
    console.log(`  (no API scenario for ${login})`);
    return;
  }
  console.log(`\n== ${login}: through the API at ${baseUrl}`);
  const auth = await api(null, "POST", "/api/v1/auth/login", { login, password: `${login}-demo` });
  check(auth.status === 200, `POST /api/v1/auth/login → ${auth.status}`);
  if (auth.status !== 200) return;
  const token = auth.data.token;
  const created = await api(token, "POST", "/api/v1/requests", spec.body);
  check(created.status === 201, `POST /api/v1/requests (${spec.body.service}) → ${created.status}` +
    (created.status !== 201 ? ` ${JSON.stringify(created.data)}` : ` ${created.data.number}`));
  if (created.status !== 201) return;
  const number = created.data.number;
  for (const d of spec.docs) {
    const fd = new FormData();
    fd.append("doc_type", d);
    fd.append("file", new Blob([samplePdf(d)], { type: "application/pdf" }), `${d}.pdf`);
    const r = await api(token, "POST", `/api/v1/requests/${number}/attachments`, fd);
    if (r.status !== 201) check(false, `attach ${d} → ${r.status} ${JSON.stringify(r.data)}`);
  }
  const sub = await api(token, "POST", `/api/v1/requests/${number}/transitions`, { action: "submit" });
  check(sub.status === 200, `submit → ${sub.status} ${sub.data.state || JSON.stringify(sub.data)}`);
  const pl = await api(token, "GET", `/api/v1/requests/${number}/signing-payload`);
  check(pl.status === 200, `GET signing-payload → ${pl.status}, ${pl.data.length} bytes`);
  if (pl.status !== 200) return;
  const p12 = await readFile(path.join(dataDir, "pki", "users", `${login}.p12`));
  const der = await RuqsatSign.signDetached(p12.buffer.slice(p12.byteOffset, p12.byteOffset + p12.byteLength),
    password, pl.data.buffer.slice(pl.data.byteOffset, pl.data.byteOffset + pl.data.byteLength));
  await writeFile(path.join(outDir, `${login}-${number}.p7s`), Buffer.from(der));
  await writeFile(path.join(outDir, `${login}-${number}.payload`), pl.data);
  // A modified payload first: the server must refuse it and nothing may move.
  const tampered = Uint8Array.from(pl.data);
  tampered[tampered.length - 2] ^= 1;
  const derBad = await RuqsatSign.signDetached(p12.buffer.slice(p12.byteOffset, p12.byteOffset + p12.byteLength),
    password, tampered.buffer);
  const bad = await api(token, "POST", `/api/v1/requests/${number}/signature`, new Uint8Array(derBad),
    { "content-type": "application/pkcs7-signature" });
  check(bad.status === 422 && bad.data.error && bad.data.error.code === "SIGNATURE_PAYLOAD_MISMATCH",
    `signature over another payload → ${bad.status} ${bad.data.error ? bad.data.error.code : ""}`);
  const r = await api(token, "POST", `/api/v1/requests/${number}/signature`, new Uint8Array(der),
    { "content-type": "application/pkcs7-signature" });
  check(r.status === 200, `POST /api/v1/requests/${number}/signature → ${r.status} ` +
    (r.status === 200 ? `state ${r.data.state}` : JSON.stringify(r.data)));
}

if (baseUrl) for (const login of users) await online(login);

let notP12 = null;
try {
  await RuqsatSign.signDetached(new TextEncoder().encode("not a p12").buffer, password, payload.buffer);
} catch (e) {
  notP12 = e && e.code;
}
console.log("");
check(notP12 === "bad-file", `garbage file → SignError("${notP12}")`);

console.log(failures ? `\n${failures} check(s) FAILED` : "\nall checks passed");
process.exit(failures ? 1 : 0);
