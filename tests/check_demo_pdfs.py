#!/usr/bin/env python3
"""Checks every signed PDF that `ruqsat demo --out DIR` wrote, with independent tools
(issue #5 acceptance): `qpdf --check` clean; poppler's `pdfsig` says the signature is valid
and the whole document signed; pyHanko says INTACT / TRUSTED against DIR/pki/root-ca.pem;
`pdftotext` shows the holder's name (Kazakh letters as entered); and `ruqsat verify` accepts
it with revocation checked against the demo CRLs. Flipping one byte inside the signed range
makes both `ruqsat verify` and `pdfsig` fail.

Usage: tests/check_demo_pdfs.py DIR RUQSAT_BINARY
"""
import json
import pathlib
import subprocess
import sys


def run(args):
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def check(cond, what, out=""):
    if not cond:
        print(f"FAIL: {what}\n{out}")
        sys.exit(1)


def main():
    out_dir = pathlib.Path(sys.argv[1])
    ruqsat = sys.argv[2]
    summary = json.loads((out_dir / "summary.json").read_text())
    root = out_dir / "pki" / "root-ca.pem"
    crls = sorted((out_dir / "pki" / "crl").glob("*.crl"))
    crl_args = [a for c in crls for a in ("--crl", str(c))]
    kinds = set()
    checked = 0
    for flow in summary["flows"]:
        for rel in flow["documents"]:
            pdf = out_dir / rel
            check(pdf.is_file(), f"{rel} listed but missing")
            size = pdf.stat().st_size
            check(size < 150 * 1024, f"{rel} is {size} bytes (limit 150 KB)")
            code, o = run(["qpdf", "--check", str(pdf)])
            check(code == 0 and "No syntax or stream encoding errors" in o, f"qpdf --check {rel}", o)
            code, o = run(["pdfsig", str(pdf)])
            check("Signature is Valid" in o and "Total document signed" in o, f"pdfsig {rel}", o)
            code, o = run(["pyhanko", "sign", "validate", "--no-revocation-check",
                           "--trust-replace", "--trust", str(root), str(pdf)])
            check(code == 0 and "INTACT" in o and "TRUSTED" in o, f"pyhanko validate {rel}", o)
            code, o = run(["pdftotext", str(pdf), "-"])
            check(flow["holder"] in o, f"pdftotext {rel}: holder '{flow['holder']}' not found", o)
            check(flow["request"] in o, f"pdftotext {rel}: request number not found", o)
            code, o = run([ruqsat, "verify", str(pdf), "--trust", str(root)] + crl_args)
            check(code == 0 and o.strip().splitlines()[-1].startswith("VALID"), f"ruqsat verify {rel}", o)
            kinds.add(rel.rsplit("-", 1)[-1].removesuffix(".pdf"))
            checked += 1
            print(f"ok  {rel}  {size} bytes")
    check(checked > 0, "the demo wrote no documents")

    # Tamper: one byte inside the first signed range.
    first = out_dir / summary["flows"][0]["documents"][0]
    data = bytearray(first.read_bytes())
    i = len(data) // 4
    data[i] ^= 0x01
    tampered = out_dir / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    code, o = run([ruqsat, "verify", str(tampered), "--trust", str(root)] + crl_args)
    check(code != 0, "ruqsat verify accepted a tampered PDF", o)
    code, o = run(["pdfsig", str(tampered)])
    check("Signature is Valid" not in o, "pdfsig accepted a tampered PDF", o)
    tampered.unlink()
    print(f"{checked} demo documents ({', '.join(sorted(kinds))}) pass qpdf, pdfsig, pyHanko, "
          f"pdftotext and ruqsat verify; a flipped byte fails ruqsat verify and pdfsig")


if __name__ == "__main__":
    main()
