#!/usr/bin/env python3
"""Ruqsat's signed e-licence next to the same document made by reportlab + pyHanko.

The peer side lays out the e-licence Ruqsat renders (`src/pdf/render.rs`): the same
wording (read from templates/documents/licence.toml and _common.toml), the same field
values (the sample Ruqsat writes with `ruqsat bench --suite pdf --pdf-sample DIR`), the
same geometry, fonts (templates/fonts/DejaVuSans*.ttf, embedded as subsets by reportlab),
rules and vector QR code of the verification URL (error correction M, one filled path of
horizontal runs). It then signs it PAdES (/ETSI.CAdES.detached, SHA-256, invisible field)
with pyHanko, using the same PKCS#12 key (RSA-2048 official of a demo PKI). Rate: one
thread, N documents (each with its own id and QR code) after a warm-up; size: average
bytes of the signed files.

Side by side (the acceptance run of issue #16, scope 6):

    python3 benches/pdf_peer.py --ruqsat target/release/ruqsat [-n 400]

makes a demo PKI (`ruqsat pki init`), runs `ruqsat bench --suite pdf` with the PKI's
official key (it also writes one sample e-licence), measures the peer in the same run,
checks one document of each side with pyHanko (INTACT, TRUSTED) and pdfsig (valid, whole
document signed), compares their extracted text (pdftotext), and prints both sides and the
ratios ours / theirs. Exit status 1 if a check fails.

Peer only, with a sample and a key you have:

    python3 benches/pdf_peer.py --data DIR/licence.json --p12 official.p12 [-n 200]

Needs: reportlab, pyhanko, pyhanko-cli (pip); pdfsig, pdftotext (poppler-utils).
"""
import argparse
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import tomllib

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import load_der_private_key
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
DEMO_P12_PASSWORD = "ruqsat-demo"  # ruqsat::demo::pki::DEMO_P12_PASSWORD

# Geometry and styles of src/pdf/render.rs, in points.
PAGE_W, PAGE_H = A4
MARGIN_L, MARGIN_R, MARGIN_T = 56.7, 42.5, 42.5
CONTENT_W = PAGE_W - MARGIN_L - MARGIN_R
BAND_BOTTOM, QR_SIZE, BAND_TOP = 28.0, 76.0, 124.0
CONTENT_BOTTOM = BAND_TOP + 10.0
LABEL_W, COL_GAP = 178.0, 12.0
VALUE_W = CONTENT_W - LABEL_W - COL_GAP

BLACK = (0.0, 0.0, 0.0)
GREY = (0.35, 0.35, 0.38)
RULE = (0.78, 0.78, 0.80)
BLUE = (0.05, 0.22, 0.45)
RED = (0.72, 0.08, 0.08)

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
S_HEADER = (REGULAR, 8.5, GREY)
S_TITLE_KK = (BOLD, 13.5, BLACK)
S_TITLE_RU = (BOLD, 12.0, BLACK)
S_SUBTITLE = (REGULAR, 10.5, BLACK)
S_MARK = (BOLD, 20.0, RED)
S_LABEL_KK = (BOLD, 8.0, BLACK)
S_LABEL_RU = (REGULAR, 7.5, GREY)
S_VALUE = (REGULAR, 9.5, BLACK)
S_FOOTER = (REGULAR, 7.5, BLACK)
S_LEGAL = (REGULAR, 7.0, GREY)
S_BAND_LABEL = (REGULAR, 7.0, GREY)
S_BAND_ID = (BOLD, 9.0, BLACK)
S_BAND_URL = (REGULAR, 8.0, BLUE)
S_BAND_NOTE = (REGULAR, 6.8, GREY)


def leading(style):
    return style[1] * 1.22


def width(style, text):
    return pdfmetrics.stringWidth(text, style[0], style[1])


def wrap(style, text, w):
    """Greedy line breaking by words, long words by characters (render.rs `wrap`)."""
    lines = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            cand = f"{line} {word}" if line else word
            if width(style, cand) <= w:
                line = cand
                continue
            if line:
                lines.append(line)
                line = ""
            if width(style, word) <= w:
                line = word
                continue
            for c in word:
                line += c
                if width(style, line) > w and len(line) > 1:
                    lines.append(line[:-1])
                    line = c
        lines.append(line)
    return lines


def qr_runs(text):
    """Dark module runs (row, first column, length) of the QR code of `text`, level M."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    n = code.getModuleCount()
    runs = []
    for r in range(n):
        c = 0
        while c < n:
            if code.isDark(r, c):
                s = c
                while c < n and code.isDark(r, c):
                    c += 1
                runs.append((r, s, c - s))
            else:
                c += 1
    return n, runs


class Layout:
    def __init__(self, c):
        self.c = c
        self.y = PAGE_H - MARGIN_T
        self.pages = 1

    def ensure(self, h):
        if self.y - h < CONTENT_BOTTOM and self.y < PAGE_H - MARGIN_T - 1.0:
            raise SystemExit("the sample e-licence is expected to fit on one page")

    def text_at(self, x, baseline, style, s):
        if not s:
            return
        c = self.c
        c.setFillColorRGB(*style[2])
        c.setFont(style[0], style[1])
        c.drawString(x, baseline, s)

    def rule(self, x0, x1, y, w, color):
        self.c.setStrokeColorRGB(*color)
        self.c.setLineWidth(w)
        self.c.line(x0, y, x1, y)

    def paragraph(self, style, text, x, w, centred):
        for line in wrap(style, text, w):
            self.ensure(leading(style))
            self.y -= leading(style)
            lx = MARGIN_L + (CONTENT_W - width(style, line)) / 2 if centred else x
            self.text_at(lx, self.y + style[1] * 0.25, style, line)

    def heading(self, common, tpl):
        self.paragraph(S_HEADER, f"{common['header']['kk']} · {common['header']['ru']}", MARGIN_L, CONTENT_W, True)
        self.y -= 10.0
        self.paragraph(S_TITLE_KK, tpl["title"]["kk"], MARGIN_L, CONTENT_W, True)
        self.y -= 2.0
        self.paragraph(S_TITLE_RU, tpl["title"]["ru"], MARGIN_L, CONTENT_W, True)
        if "subtitle" in tpl:
            self.y -= 2.0
            s = f"({tpl['subtitle']['kk']} / {tpl['subtitle']['ru']})"
            self.paragraph(S_SUBTITLE, s, MARGIN_L, CONTENT_W, True)
        if "mark" in tpl:
            s = f"{tpl['mark']['kk']} / {tpl['mark']['ru']}"
            w = width(S_MARK, s)
            h = S_MARK[1] + 14.0
            self.y -= 10.0 + h
            x = MARGIN_L + (CONTENT_W - w) / 2
            self.c.setStrokeColorRGB(*RED)
            self.c.setLineWidth(2.0)
            self.c.rect(x - 12.0, self.y, w + 24.0, h, stroke=1, fill=0)
            self.text_at(x, self.y + 7.0 + S_MARK[1] * 0.22, S_MARK, s)
        self.y -= 12.0

    def field_row(self, label_kk, label_ru, value):
        kk = wrap(S_LABEL_KK, label_kk, LABEL_W)
        ru = wrap(S_LABEL_RU, label_ru, LABEL_W)
        values = wrap(S_VALUE, value, VALUE_W)
        label_h = len(kk) * leading(S_LABEL_KK) + len(ru) * leading(S_LABEL_RU)
        value_h = len(values) * leading(S_VALUE)
        pad_top, pad_bottom = 4.0, 3.5
        self.ensure(max(label_h, value_h) + pad_top + pad_bottom)
        top = self.y - pad_top
        ly = top
        for line in kk:
            ly -= leading(S_LABEL_KK)
            self.text_at(MARGIN_L, ly + 2.0, S_LABEL_KK, line)
        for line in ru:
            ly -= leading(S_LABEL_RU)
            self.text_at(MARGIN_L, ly + 2.0, S_LABEL_RU, line)
        vx = MARGIN_L + LABEL_W + COL_GAP
        vy = top
        for line in values:
            vy -= leading(S_VALUE)
            self.text_at(vx, vy + 2.5, S_VALUE, line)
        self.y = min(ly, vy) - pad_bottom
        self.rule(MARGIN_L, PAGE_W - MARGIN_R, self.y, 0.4, RULE)

    def footer(self, common, tpl):
        self.y -= 12.0
        blocks = ([(S_FOOTER, tpl["footer"])] if "footer" in tpl else []) + [(S_LEGAL, common["legal"])]
        for style, text in blocks:
            self.paragraph(style, text["kk"], MARGIN_L, CONTENT_W, False)
            self.y -= 3.0
            self.paragraph(style, text["ru"], MARGIN_L, CONTENT_W, False)
            self.y -= 7.0

    def band(self, common, doc, issued_display):
        self.rule(MARGIN_L, PAGE_W - MARGIN_R, BAND_TOP, 0.8, BLACK)
        n, runs = qr_runs(doc["verify_url"])
        module = QR_SIZE / n
        p = self.c.beginPath()
        for row, col, length in runs:
            p.rect(MARGIN_L + col * module, BAND_BOTTOM + QR_SIZE - (row + 1) * module, length * module, module)
        self.c.setFillColorRGB(*BLACK)
        self.c.drawPath(p, stroke=0, fill=1)

        tx = MARGIN_L + QR_SIZE + 16.0
        tw = PAGE_W - MARGIN_R - tx
        y = BAND_TOP - 4.0

        def label(b):
            return f"{b['kk']} / {b['ru']}:"

        lines = [
            (S_BAND_LABEL, label(common["document_id"])),
            (S_BAND_ID, doc["document_id"]),
            (S_BAND_LABEL, label(common["verify_url"])),
            (S_BAND_URL, doc["verify_url"]),
            (S_BAND_LABEL, f"{label(common['issued_at'])} {issued_display}"),
            (S_BAND_NOTE, common["signed_note"]["kk"]),
            (S_BAND_NOTE, common["signed_note"]["ru"]),
        ]
        for style, text in lines:
            for part in wrap(style, text, tw):
                y -= leading(style)
                self.text_at(tx, y + style[1] * 0.2, style, part)
        page = f"{common['page']['kk']} / {common['page']['ru']} 1/1"
        self.text_at(PAGE_W - MARGIN_R - width(S_BAND_LABEL, page), BAND_BOTTOM, S_BAND_LABEL, page)


class KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, but the RSA key is loaded once: SimpleSigner.sign_raw
    re-parses the DER key on every signature (about 90 ms here: OpenSSL 3 checks the RSA
    key on load), twice per document (size estimate, then the signature). A service
    signing many documents would keep the key; so does this peer."""

    _key = None

    def sign_raw(self, data, digest_algorithm):
        mech = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mech != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        if self._key is None:
            self._key = load_der_private_key(self.signing_key.dump(), password=None)
        return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


class Peer:
    """reportlab layout + pyHanko PAdES signature of one e-licence."""

    def __init__(self, sample, p12, password, fonts_dir=None):
        fonts_dir = pathlib.Path(fonts_dir) if fonts_dir else TEMPLATES / "fonts"
        for name in (REGULAR, BOLD):
            pdfmetrics.registerFont(TTFont(name, str(fonts_dir / f"{name}.ttf")))
        self.common = tomllib.loads((TEMPLATES / "documents" / "_common.toml").read_text())
        self.doc = sample["document"]
        self.tpl = tomllib.loads((TEMPLATES / "documents" / f"{self.doc['kind']}.toml").read_text())
        self.issued_display = sample["issued_at_display"]
        loaded = signers.SimpleSigner.load_pkcs12(pfx_file=str(p12), passphrase=password.encode())
        if loaded is None:
            raise SystemExit(f"cannot open {p12}")
        self.signer = KeptKeySigner(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )
        self.meta = signers.PdfSignatureMetadata(
            field_name="RuqsatSignature",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason="bench",
            location="Ruqsat",
        )

    def render(self, document_id):
        doc = dict(self.doc)
        old = self.doc["document_id"]
        doc["document_id"] = document_id
        doc["verify_url"] = self.doc["verify_url"][: -len(old)] + document_id
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
        title = f"{self.tpl['title']['kk']} / {self.tpl['title']['ru']}"
        c.setTitle(title)
        c.setSubject(document_id)
        c.setCreator("Ruqsat peer (reportlab)")
        l = Layout(c)
        l.heading(self.common, self.tpl)
        l.rule(MARGIN_L, PAGE_W - MARGIN_R, l.y, 0.8, BLACK)
        for f in self.tpl["fields"]:
            v = doc["fields"].get(f["key"], "").strip()
            if v:
                l.field_row(f["kk"], f["ru"], v)
        l.footer(self.common, self.tpl)
        l.band(self.common, doc, self.issued_display)
        c.showPage()
        c.save()
        return buf.getvalue()

    def sign(self, pdf):
        w = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = signers.sign_pdf(w, self.meta, signer=self.signer)
        return out.getvalue()

    def make(self, document_id):
        return self.sign(self.render(document_id))


def measure_peer(peer, n, warmup):
    for i in range(warmup):
        peer.make(f"warmup{i:012}")
    total = 0
    start = time.perf_counter()
    for i in range(n):
        total += len(peer.make(f"bench0000x{i:010}"))
    secs = time.perf_counter() - start
    return {"documents": n, "seconds": secs, "rate": n / secs, "avg_bytes": total // n}


def run(args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, **kw)
    return p.returncode, p.stdout + p.stderr


def check_signed(path, root, label):
    """pyHanko (intact, trusted) and pdfsig (valid, whole document) on one file."""
    ok = True
    code, out = run(["pyhanko", "sign", "validate", "--no-revocation-check", "--trust-replace",
                     "--trust", str(root), str(path)])
    good = code == 0 and "INTACT:TRUSTED" in out
    print(f"  {label}: pyhanko sign validate: {out.strip().splitlines()[-1] if out.strip() else code}")
    ok &= good
    code, out = run(["pdfsig", str(path)])
    good = "Signature is Valid" in out and "Total document signed" in out
    print(f"  {label}: pdfsig: {'Signature is Valid, Total document signed' if good else out.strip()}")
    return ok and good


def words(path):
    code, out = run(["pdftotext", "-enc", "UTF-8", str(path), "-"])
    return sorted(out.split()) if code == 0 else None


def side_by_side(args):
    ruqsat = os.path.abspath(args.ruqsat)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ruqsat-pdf-peer-"))
    pki = tmp / "pki"
    code, out = run([ruqsat, "pki", "init", "--dir", str(pki)])
    if code != 0:
        raise SystemExit(f"ruqsat pki init failed:\n{out}")
    p12 = pki / "users" / "official.p12"
    sample_dir = tmp / "ours"
    print(f"machine: {os.cpu_count()} cores; N = {args.n} documents per run; work dir {tmp}")
    print(f"$ ruqsat bench --suite pdf --pdf-documents {args.n} --pdf-p12 {p12} --pdf-sample {sample_dir}")
    code, out = run([ruqsat, "bench", "--suite", "pdf", "--pdf-documents", str(args.n),
                     "--pdf-p12", str(p12), "--pdf-sample", str(sample_dir)])
    print("  " + "\n  ".join(out.strip().splitlines()))
    if code != 0:
        raise SystemExit("ruqsat bench failed")
    ours = {}
    for m in re.finditer(r"threads=(\d+): ([\d.]+) PDFs/s, (\d+) bytes average", out):
        ours[int(m.group(1))] = {"rate": float(m.group(2)), "avg_bytes": int(m.group(3))}
    if 1 not in ours:
        raise SystemExit("no threads=1 figure in the ruqsat bench output")

    sample = json.loads((sample_dir / "licence.json").read_text())
    peer = Peer(sample, p12, args.password, args.fonts)
    theirs_pdf = tmp / "peer-licence.pdf"
    theirs_pdf.write_bytes(peer.make(sample["document"]["document_id"]))
    print(f"$ reportlab + pyHanko, 1 thread, {args.n} documents after {args.warmup} warm-up")
    theirs = measure_peer(peer, args.n, args.warmup)
    print(f"  {theirs['rate']:.1f} PDFs/s ({theirs['seconds']:.2f} s), {theirs['avg_bytes']} bytes average")

    print("checks (one document of each side):")
    root = pki / "root-ca.pem"
    ours_pdf = sample_dir / "licence.pdf"
    ok = check_signed(ours_pdf, root, "ours  ")
    ok &= check_signed(theirs_pdf, root, "theirs")
    a, b = words(ours_pdf), words(theirs_pdf)
    same = a is not None and a == b
    print(f"  pdftotext words: ours {len(a or [])}, theirs {len(b or [])}, {'identical' if same else 'DIFFERENT'}")
    if not same and a is not None and b is not None:
        print(f"    only ours: {sorted(set(a) - set(b))[:20]}; only theirs: {sorted(set(b) - set(a))[:20]}")
    ok &= same

    o1 = ours[1]
    size_ratio = o1["avg_bytes"] / theirs["avg_bytes"]
    rate_ratio = o1["rate"] / theirs["rate"]
    print()
    print(f"{'':30} {'Ruqsat':>12} {'reportlab+pyHanko':>18} {'ours/theirs':>12}")
    print(f"{'signed e-licence, bytes (avg)':30} {o1['avg_bytes']:>12} {theirs['avg_bytes']:>18} {size_ratio:>12.2f}")
    print(f"{'PDFs/s, 1 thread':30} {o1['rate']:>12.1f} {theirs['rate']:>18.1f} {rate_ratio:>12.2f}")
    if 2 in ours:
        print(f"{'PDFs/s, 2 threads (ours)':30} {ours[2]['rate']:>12.1f}")
    print(f"size ours/theirs = {size_ratio:.2f} (target <= 1.00): {'met' if size_ratio <= 1.0 else 'MISSED'}")
    print(f"rate ours/theirs = {rate_ratio:.2f} (target >= 5.00): {'met' if rate_ratio >= 5.0 else 'MISSED'}")
    print(f"checks: {'all passed' if ok else 'FAILED'}")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ruqsat", help="ruqsat binary (release build): run the side-by-side comparison")
    ap.add_argument("--data", help="licence.json written by `ruqsat bench --suite pdf --pdf-sample DIR`")
    ap.add_argument("--p12", help="signer's PKCS#12 (peer-only mode)")
    ap.add_argument("--password", default=DEMO_P12_PASSWORD, help="PKCS#12 password")
    ap.add_argument("-n", type=int, default=400, help="documents per measured run")
    ap.add_argument("--warmup", type=int, default=20, help="untimed documents first (peer)")
    ap.add_argument("--out", help="peer-only mode: also write one signed peer document here")
    ap.add_argument("--fonts", help="directory with DejaVuSans.ttf and DejaVuSans-Bold.ttf for the peer "
                    "(default: templates/fonts, the files Ruqsat embeds)")
    args = ap.parse_args()
    if args.ruqsat:
        return side_by_side(args)
    if not (args.data and args.p12):
        ap.error("give --ruqsat BIN, or --data and --p12")
    sample = json.loads(pathlib.Path(args.data).read_text())
    peer = Peer(sample, args.p12, args.password, args.fonts)
    if args.out:
        pathlib.Path(args.out).write_bytes(peer.make(sample["document"]["document_id"]))
    r = measure_peer(peer, args.n, args.warmup)
    print(f"reportlab + pyHanko, 1 thread: {r['documents']} documents in {r['seconds']:.2f} s: "
          f"{r['rate']:.1f} PDFs/s, {r['avg_bytes']} bytes average")
    return 0


if __name__ == "__main__":
    sys.exit(main())
