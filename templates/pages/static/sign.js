/*
 * Ruqsat: signing a request in the browser with the applicant's ЭЦП (PKCS#12 file).
 *
 * The private key never leaves the browser: the .p12 file is read and decrypted here,
 * the key is imported into WebCrypto as non-extractable, and only the CMS signature
 * (detached, DER) is sent to the server. The server then verifies it as described in
 * docs/signatures.md ("What is verified").
 *
 * Loading (classic scripts, CSP `script-src 'self'`, no inline script):
 *
 *   <script src="{{ asset('vendor/pkijs.min.js') }}" defer></script>
 *   <script src="{{ asset('sign.js') }}" defer></script>
 *
 * The vendor bundle defines `RuqsatPki` ({ pkijs, asn1js, versions }); this file defines
 * `RuqsatSign` (API below) and, in a page, enhances every `form[data-sign-form]` and
 * `form#sign-form`.
 *
 * Expected markup (texts are the template's; this file contains no user-visible text):
 *
 *   <form id="sign-form" method="post" action="/requests/{number}/signature"
 *         enctype="multipart/form-data"
 *         data-payload-url="/api/v1/requests/{number}/signing-payload"
 *         data-submit-url="/requests/{number}/signature"
 *         data-msg-reading="…"          progress: opening the key file
 *         data-msg-signing="…"          progress: fetching the payload and signing
 *         data-msg-sending="…"          progress: sending the signature
 *         data-msg-no-file="…"          no .p12 file chosen
 *         data-msg-wrong-password="…"   the password does not open the file
 *         data-msg-bad-file="…"         not a PKCS#12 file / damaged / no key or certificate
 *         data-msg-unsupported-key="…"  key is not RSA ≥ 2048 or ECDSA P-256
 *         data-msg-failed="…">          anything else (network, server, browser)
 *     <input type="hidden" name="csrf" value="…">
 *     <div class="field"><label for="p12">…</label>
 *       <input id="p12" type="file" accept=".p12,.pfx" data-role="p12"></div>
 *     <div class="field"><label for="p12-password">…</label>
 *       <input id="p12-password" type="password" data-role="p12-password" autocomplete="off"></div>
 *     <button type="button" data-role="sign-in-browser" hidden>…</button>
 *     <p data-role="sign-status" role="status" aria-live="polite"></p>
 *     <!-- fallback without JS: upload a detached CMS made by `ruqsat sign` -->
 *     <div class="field"><label for="cms">…</label>
 *       <input id="cms" name="cms" type="file" data-role="cms-file"></div>
 *     <button type="submit" data-role="upload-cms">…</button>
 *   </form>
 *
 * The p12 and password inputs have no `name`, so the no-JS submit never sends them.
 * Only if the browser can sign (WebCrypto in a secure context, the vendor bundle loaded)
 * is the sign button unhidden. While working, the form gets `aria-busy="true"` and the
 * sign button is disabled; the status element gets `data-state` = "busy" | "error" and
 * the message text. A `data-msg-*` attribute that is missing falls back to
 * `data-msg-failed`, then to the error code.
 *
 * Flow on click: open the p12 (wrong password → data-msg-wrong-password), GET
 * data-payload-url (credentials same-origin) for the exact bytes, sign, POST multipart
 * {csrf, cms: signature.p7s (application/pkcs7-signature)} to data-submit-url. The server
 * answers 303 → request page (fetch follows; we navigate to response.url), or an HTML
 * error page (status ≥ 400: its `.alert.error` text is shown in the status element; if
 * there is none, the error page replaces the document).
 *
 * API (window.RuqsatSign, also globalThis.RuqsatSign outside a browser):
 *
 *   signDetached(p12Bytes: ArrayBuffer, password: string, payload: ArrayBuffer)
 *       → Promise<ArrayBuffer>   DER ContentInfo(SignedData), detached, SHA-256,
 *                                signed attributes contentType, signingTime, messageDigest,
 *                                certificates = every certificate of the p12, leaf first
 *   openPkcs12(p12Bytes, password) → Promise<KeyMaterial>  { privateKey (CryptoKey,
 *                                non-extractable), certificate, chain, keyType }
 *   signWithKey(keyMaterial, payload) → Promise<ArrayBuffer>
 *   pkcs12Signer(p12Bytes, password) → Signer
 *   SignError   { code: "bad-file" | "wrong-password" | "unsupported-key" | "no-crypto"
 *                        | "no-file" | "failed" , message }
 *   enhance(form)  wires one form (done automatically on DOMContentLoaded)
 *
 * Signer interface — anything that can produce a detached CMS over the payload:
 *
 *   { name: string,
 *     open?(): Promise<void>,                      optional: ask for/unlock the key early,
 *                                                  so a wrong password fails before any
 *                                                  network request
 *     sign(payload: ArrayBuffer): Promise<ArrayBuffer> }  resolves with the DER CMS
 *
 * The DOM wiring only talks to a Signer (see `signerFor`). Adding NCALayer (the national
 * signing client of the НУЦ РК, a local WebSocket server at wss://127.0.0.1:13579):
 *
 *   1. A second button `data-role="sign-ncalayer"` and an `ncaLayerSigner()` returning
 *      { name: "ncalayer", open, sign }:
 *        open(): new WebSocket("wss://127.0.0.1:13579/"), resolve on `open`,
 *                reject (→ data-msg-ncalayer-absent) on `error`/close;
 *        sign(payload): send
 *          { module: "kz.gov.pki.knca.basics", method: "sign",
 *            args: { allowedStorages: null, format: "cms", data: base64(payload),
 *                    signingParams: { decode: true, encapsulate: false, digested: false },
 *                    signerParams: { extKeyUsageOids: [], chain: [] }, locale: <page lang> } }
 *          and resolve with base64-decoded `body.result[0]` of the reply
 *          ({ status: true, body: { result: [...] } }); `status: false` with
 *          code "USER_CANCELED"/other → SignError("cancelled"/"failed").
 *      NCALayer chooses the key, asks for its password and signs itself: the key never
 *      reaches the page at all. Its CMS is detached and carries the signer certificate.
 *   2. CSP: connect-src must also allow wss://127.0.0.1:13579 on the signing page.
 *   3. Server: keys of the НУЦ РК are RSA (accepted) or GOST 34.310/34.10-2015 (not
 *      accepted by the verifier today), and the НУЦ РК roots must be in the trust store.
 */
(function (root) {
  "use strict";

  const OID = {
    data: "1.2.840.113549.1.7.1",
    signedData: "1.2.840.113549.1.7.2",
    encryptedData: "1.2.840.113549.1.7.6",
    contentType: "1.2.840.113549.1.9.3",
    messageDigest: "1.2.840.113549.1.9.4",
    signingTime: "1.2.840.113549.1.9.5",
    localKeyId: "1.2.840.113549.1.9.21",
    keyBag: "1.2.840.113549.1.12.10.1.1",
    shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
    certBag: "1.2.840.113549.1.12.10.1.3",
    x509Certificate: "1.2.840.113549.1.9.22.1",
    rsaEncryption: "1.2.840.113549.1.1.1",
    ecPublicKey: "1.2.840.10045.2.1",
    p256: "1.2.840.10045.3.1.7",
    basicConstraints: "2.5.29.19",
  };

  /** An error the page can explain: `code` selects the `data-msg-<code>` text. */
  class SignError extends Error {
    constructor(code, message, cause) {
      super(message || code);
      this.name = "SignError";
      this.code = code;
      if (cause !== undefined) this.cause = cause;
    }
  }

  function vendor() {
    const v = root.RuqsatPki;
    if (!v || !v.pkijs || !v.asn1js) throw new SignError("no-crypto", "vendor/pkijs.min.js is not loaded");
    return v;
  }

  function subtle() {
    const c = root.crypto;
    if (!c || !c.subtle) throw new SignError("no-crypto", "WebCrypto is unavailable (not a secure context?)");
    return c.subtle;
  }

  /** A fresh ArrayBuffer with exactly the bytes of `data` (ArrayBuffer or any view). */
  function toArrayBuffer(data) {
    if (data instanceof ArrayBuffer) return data;
    if (ArrayBuffer.isView(data)) {
      return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    }
    throw new TypeError("expected an ArrayBuffer or a typed array");
  }

  function sameBytes(a, b) {
    const x = new Uint8Array(a);
    const y = new Uint8Array(b);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }

  function compareBytes(a, b) {
    const x = new Uint8Array(a);
    const y = new Uint8Array(b);
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }

  // ---------------------------------------------------------------------------------
  // PKCS#12 → { privateKey, certificate, chain }
  // ---------------------------------------------------------------------------------

  function localKeyIdOf(bag) {
    for (const attr of bag.bagAttributes || []) {
      if (attr.type === OID.localKeyId && attr.values && attr.values[0] && attr.values[0].valueBlock) {
        return attr.values[0].valueBlock.valueHexView;
      }
    }
    return null;
  }

  function isCa(cert) {
    for (const ext of cert.extensions || []) {
      if (ext.extnID === OID.basicConstraints && ext.parsedValue && ext.parsedValue.cA) return true;
    }
    return false;
  }

  /** WebCrypto parameters for the key in a PKCS#8 PrivateKeyInfo, or SignError. */
  function keyAlgorithmOf(privateKeyInfo) {
    const alg = privateKeyInfo.privateKeyAlgorithm;
    if (alg.algorithmId === OID.rsaEncryption) {
      return {
        keyType: "RSA",
        importParams: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        signParams: { name: "RSASSA-PKCS1-v1_5" },
      };
    }
    if (alg.algorithmId === OID.ecPublicKey) {
      let curve = null;
      const params = alg.algorithmParams;
      if (params && params.idBlock && params.idBlock.tagNumber === 6) curve = params.valueBlock.toString();
      else if (privateKeyInfo.parsedKey && privateKeyInfo.parsedKey.namedCurve) curve = privateKeyInfo.parsedKey.namedCurve;
      if (curve !== OID.p256) throw new SignError("unsupported-key", `EC key on curve ${curve}, expected P-256`);
      return {
        keyType: "EC",
        importParams: { name: "ECDSA", namedCurve: "P-256" },
        signParams: { name: "ECDSA", hash: "SHA-256" },
      };
    }
    throw new SignError("unsupported-key", `key algorithm ${alg.algorithmId}`);
  }

  /** Whether `cert` holds the public half of `privateKey` (sign a random probe, verify). */
  async function certificateMatchesKey(cert, privateKey, alg) {
    const spki = cert.subjectPublicKeyInfo;
    const expected = alg.keyType === "RSA" ? OID.rsaEncryption : OID.ecPublicKey;
    if (spki.algorithm.algorithmId !== expected) return false;
    try {
      const publicKey = await subtle().importKey(
        "spki", spki.toSchema().toBER(false), alg.importParams, false, ["verify"]);
      const probe = root.crypto.getRandomValues(new Uint8Array(32));
      const sig = await subtle().sign(alg.signParams, privateKey, probe);
      return await subtle().verify(alg.signParams, publicKey, sig, probe);
    } catch (_) {
      return false;
    }
  }

  /** Leaf first, then its issuer, its issuer's issuer, …; certificates off the path last. */
  function orderChain(leaf, certs) {
    const rest = certs.filter((c) => c !== leaf);
    const chain = [leaf];
    let current = leaf;
    for (;;) {
      if (current.subject.isEqual(current.issuer)) break; // self-signed root
      const i = rest.findIndex((c) => c.subject.isEqual(current.issuer));
      if (i < 0) break;
      current = rest.splice(i, 1)[0];
      chain.push(current);
    }
    return chain.concat(rest);
  }

  /**
   * Opens a PKCS#12 file: checks its MAC with the password, decrypts the key bag and the
   * certificate bags, imports the key as non-extractable, finds its certificate.
   * Errors: SignError "bad-file" | "wrong-password" | "unsupported-key" | "no-crypto".
   */
  async function openPkcs12(p12Bytes, password) {
    const { pkijs, asn1js } = vendor();
    subtle();
    const passwordBytes = toArrayBuffer(new TextEncoder().encode(password || ""));

    let pfx;
    try {
      const asn1 = asn1js.fromBER(toArrayBuffer(p12Bytes));
      if (asn1.offset === -1) throw new Error(asn1.result.error || "not DER");
      pfx = new pkijs.PFX({ schema: asn1.result });
    } catch (e) {
      throw new SignError("bad-file", "not a PKCS#12 file", e);
    }

    // 1. Integrity (the MAC is keyed by the password: a wrong password fails here).
    try {
      await pfx.parseInternalValues({ password: passwordBytes, checkIntegrity: !!pfx.macData });
    } catch (e) {
      if (/integrity/i.test(String(e && e.message))) throw new SignError("wrong-password", "wrong password", e);
      throw new SignError("bad-file", "unreadable PKCS#12", e);
    }

    // 2. The safe contents: plain (id-data) or password-encrypted (id-encryptedData).
    const authSafe = pfx.parsedValue && pfx.parsedValue.authenticatedSafe;
    if (!authSafe) throw new SignError("bad-file", "no authenticated safe");
    try {
      await authSafe.parseInternalValues({
        safeContents: authSafe.safeContents.map((ci) =>
          ci.contentType === OID.encryptedData ? { password: passwordBytes } : {}),
      });
    } catch (e) {
      // Without a MAC, a wrong password shows up as a decryption failure.
      throw new SignError(pfx.macData ? "bad-file" : "wrong-password", "cannot decrypt the safe contents", e);
    }

    // 3. Bags: the key (shrouded or plain) and the X.509 certificates.
    const keyBags = [];
    const certs = []; // { cert, localKeyId }
    for (const sc of authSafe.parsedValue.safeContents) {
      for (const bag of sc.value.safeBags) {
        if (bag.bagId === OID.shroudedKeyBag || bag.bagId === OID.keyBag) keyBags.push(bag);
        else if (bag.bagId === OID.certBag && bag.bagValue.certId === OID.x509Certificate) {
          certs.push({ cert: bag.bagValue.parsedValue, localKeyId: localKeyIdOf(bag) });
        }
      }
    }
    if (keyBags.length === 0) throw new SignError("bad-file", "no private key in the file");
    if (certs.length === 0) throw new SignError("bad-file", "no certificate in the file");

    const keyBag = keyBags[0];
    let privateKeyInfo;
    if (keyBag.bagId === OID.shroudedKeyBag) {
      try {
        await keyBag.bagValue.parseInternalValues({ password: passwordBytes });
        privateKeyInfo = keyBag.bagValue.parsedValue;
      } catch (e) {
        throw new SignError(pfx.macData ? "bad-file" : "wrong-password", "cannot decrypt the key", e);
      }
    } else {
      privateKeyInfo = keyBag.bagValue;
    }

    // 4. Import the key: usable for signing only, never exportable.
    const alg = keyAlgorithmOf(privateKeyInfo);
    const pkcs8 = new Uint8Array(privateKeyInfo.toSchema().toBER(false));
    let privateKey;
    try {
      privateKey = await subtle().importKey("pkcs8", pkcs8, alg.importParams, false, ["sign"]);
    } catch (e) {
      throw new SignError("unsupported-key", "WebCrypto refused the key", e);
    } finally {
      pkcs8.fill(0);
    }
    if (alg.keyType === "RSA" && !(privateKey.algorithm.modulusLength >= 2048)) {
      throw new SignError("unsupported-key", `RSA key of ${privateKey.algorithm.modulusLength} bits`);
    }

    // 5. The key's certificate: same localKeyId first, then any non-CA, then the rest;
    //    the first whose public key verifies a probe signature.
    const keyId = localKeyIdOf(keyBag);
    const rank = (c) => (keyId && c.localKeyId && sameBytes(c.localKeyId, keyId) ? 0 : isCa(c.cert) ? 2 : 1);
    const candidates = certs.slice().sort((a, b) => rank(a) - rank(b));
    let leaf = null;
    for (const c of candidates) {
      if (await certificateMatchesKey(c.cert, privateKey, alg)) {
        leaf = c.cert;
        break;
      }
    }
    if (!leaf) throw new SignError("bad-file", "no certificate matches the private key");

    return {
      privateKey,
      keyType: alg.keyType,
      certificate: leaf,
      chain: orderChain(leaf, certs.map((c) => c.cert)),
    };
  }

  // ---------------------------------------------------------------------------------
  // CMS SignedData, detached
  // ---------------------------------------------------------------------------------

  function signingTimeValue(asn1js, now) {
    const d = new Date(Math.floor(now.getTime() / 1000) * 1000); // whole seconds (DER)
    const y = d.getUTCFullYear();
    // RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise.
    return y >= 1950 && y < 2050
      ? new asn1js.UTCTime({ valueDate: d })
      : new asn1js.GeneralizedTime({ valueDate: d });
  }

  /**
   * Detached CMS SignedData over `payload` with the opened key: SHA-256, one SignerInfo
   * (issuerAndSerialNumber), signed attributes contentType=id-data, signingTime,
   * messageDigest (in DER SET OF order), certificates = keyMaterial.chain.
   * Returns the DER of the ContentInfo.
   */
  async function signWithKey(keyMaterial, payload) {
    const { pkijs, asn1js } = vendor();
    const data = toArrayBuffer(payload);
    const digest = await subtle().digest("SHA-256", data);

    const attributes = [
      new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
      new pkijs.Attribute({ type: OID.signingTime, values: [signingTimeValue(asn1js, new Date())] }),
      new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
    ];
    // DER encodes a SET OF sorted by the encodings; verifiers that re-encode the signed
    // attributes (OpenSSL does) would otherwise hash different bytes.
    const encoded = attributes.map((a) => ({ a, der: a.toSchema().toBER(false) }));
    encoded.sort((x, y) => compareBytes(x.der, y.der));

    const cert = keyMaterial.certificate;
    const cms = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }), // no eContent: detached
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: encoded.map((x) => x.a) }),
        }),
      ],
      certificates: keyMaterial.chain,
    });
    // With signed attributes pkijs signs their DER (SET tag); `data` is not re-hashed.
    await cms.sign(keyMaterial.privateKey, 0, "SHA-256", data);

    const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: cms.toSchema(true) });
    return contentInfo.toSchema().toBER(false);
  }

  /** Opens `p12Bytes` with `password` and signs `payload`: DER CMS, detached. */
  async function signDetached(p12Bytes, password, payload) {
    return signWithKey(await openPkcs12(p12Bytes, password), payload);
  }

  /** The PKCS#12 implementation of the Signer interface (see the header comment). */
  function pkcs12Signer(p12Bytes, password) {
    let opened = null;
    const open = () => (opened = opened || openPkcs12(p12Bytes, password));
    return {
      name: "pkcs12",
      open: () => open().then(() => undefined),
      sign: async (payload) => signWithKey(await open(), payload),
    };
  }

  // ---------------------------------------------------------------------------------
  // DOM wiring
  // ---------------------------------------------------------------------------------

  /** Whether this browser can sign here: WebCrypto (secure context) + the vendor bundle. */
  function canSign() {
    return !!(root.crypto && root.crypto.subtle && root.RuqsatPki && root.RuqsatPki.pkijs &&
      typeof root.fetch === "function" && typeof root.FormData === "function" &&
      typeof root.Blob === "function" && typeof root.Blob.prototype.arrayBuffer === "function");
  }

  function message(form, code) {
    const attr = (c) => form.getAttribute("data-msg-" + c);
    return attr(code) || attr("failed") || code;
  }

  /** The message of an API error body ({ error: { message: { ru, kk, en } } }) in the
   *  page's language. */
  function apiErrorText(body) {
    const m = body && body.error && body.error.message;
    if (!m) return null;
    if (typeof m === "string") return m;
    const lang = (document.documentElement.lang || "ru").slice(0, 2).toLowerCase();
    return m[lang] || m.ru || m.en || null;
  }

  /** The text of the `.alert.error` of an HTML error page, or null. */
  function errorTextOf(html) {
    try {
      const doc = new DOMParser().parseFromString(html, "text/html");
      const el = doc.querySelector(".alert.error");
      const text = el && el.textContent.replace(/\s+/g, " ").trim();
      return text || null;
    } catch (_) {
      return null;
    }
  }

  function replaceDocument(html) {
    document.open();
    document.write(html);
    document.close();
  }

  function enhance(form) {
    if (form.__ruqsatSign) return;
    form.__ruqsatSign = true;
    const q = (role) => form.querySelector(`[data-role="${role}"]`);
    const button = q("sign-in-browser");
    const fileInput = q("p12");
    const passwordInput = q("p12-password");
    const statusEl = q("sign-status");
    if (!button || !fileInput || !passwordInput || !canSign()) return; // keep the no-JS path

    const setStatus = (state, text) => {
      if (!statusEl) return;
      statusEl.textContent = text || "";
      if (state) statusEl.setAttribute("data-state", state);
      else statusEl.removeAttribute("data-state");
    };
    const setBusy = (busy) => {
      button.disabled = busy;
      if (busy) form.setAttribute("aria-busy", "true");
      else form.removeAttribute("aria-busy");
    };
    // `text`, when given, replaces the data-msg-<code> text (a server's own message).
    const fail = (code, text) => {
      setBusy(false);
      setStatus("error", text || message(form, code));
    };

    /** The Signer chosen by the user; only PKCS#12 today (see the header for NCALayer). */
    async function signerFor() {
      const file = fileInput.files && fileInput.files[0];
      if (!file) throw new SignError("no-file");
      return pkcs12Signer(await file.arrayBuffer(), passwordInput.value);
    }

    async function run() {
      setBusy(true);
      setStatus("busy", message(form, "reading"));
      let signer;
      try {
        signer = await signerFor();
        if (signer.open) await signer.open();
      } catch (e) {
        if (e && e.name === "SignError") {
          if (e.code === "wrong-password") {
            passwordInput.select && passwordInput.select();
            passwordInput.focus();
          } else if (e.code === "no-file") fileInput.focus();
          return fail(e.code);
        }
        return fail("bad-file");
      }

      setStatus("busy", message(form, "signing"));
      let der;
      try {
        const res = await fetch(form.getAttribute("data-payload-url"), {
          method: "GET",
          credentials: "same-origin",
          cache: "no-store",
          headers: { Accept: "application/octet-stream" },
        });
        if (!res.ok) {
          let detail = null;
          try {
            detail = apiErrorText(await res.json());
          } catch (_) { /* not JSON */ }
          return fail("failed", detail ? message(form, "failed") + " " + detail : null);
        }
        der = await signer.sign(await res.arrayBuffer());
      } catch (e) {
        return fail(e && e.name === "SignError" ? e.code : "failed");
      }

      setStatus("busy", message(form, "sending"));
      try {
        const body = new FormData();
        const csrf = form.querySelector('input[name="csrf"]');
        if (csrf) body.append("csrf", csrf.value);
        body.append("cms", new Blob([der], { type: "application/pkcs7-signature" }), "signature.p7s");
        const res = await fetch(form.getAttribute("data-submit-url") || form.action, {
          method: "POST",
          body,
          credentials: "same-origin",
          redirect: "follow",
          headers: { Accept: "text/html" },
        });
        if (res.ok && res.redirected) {
          root.location.assign(res.url); // 303 → the request page
          return;
        }
        const html = await res.text();
        if (res.ok) return replaceDocument(html);
        const text = errorTextOf(html);
        if (text) return fail("failed", text);
        replaceDocument(html);
      } catch (e) {
        fail("failed");
      }
    }

    let running = false;
    button.addEventListener("click", () => {
      if (running) return;
      running = true;
      run().finally(() => { running = false; });
    });
    // A new file or password makes the last error stale.
    const clearError = () => {
      if (!running && statusEl && statusEl.getAttribute("data-state") === "error") setStatus(null, "");
    };
    fileInput.addEventListener("change", clearError);
    passwordInput.addEventListener("input", clearError);
    // Enter in the password field signs in the browser instead of submitting the fallback.
    passwordInput.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        button.click();
      }
    });
    // The whole in-browser part (key file, password, button) is hidden until it can work.
    const section = form.querySelector('[data-role="sign-in-browser-section"]');
    if (section) section.hidden = false;
    button.hidden = false;
  }

  function enhanceAll() {
    document.querySelectorAll("form#sign-form, form[data-sign-form]").forEach(enhance);
  }

  root.RuqsatSign = Object.freeze({
    signDetached,
    openPkcs12,
    signWithKey,
    pkcs12Signer,
    SignError,
    enhance,
    canSign,
  });

  if (typeof document !== "undefined" && document.querySelectorAll) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
    else enhanceAll();
  }
})(typeof window !== "undefined" ? window : globalThis);
