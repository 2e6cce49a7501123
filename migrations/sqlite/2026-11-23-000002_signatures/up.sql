-- Verified signatures over a request's signing payload (R-003-24..28, R-004-17..20, R-004-30..33).
-- The CMS itself is kept in the content-addressed file store (cms_sha256).
CREATE TABLE signatures (
    id             TEXT PRIMARY KEY NOT NULL,
    request_id     TEXT NOT NULL REFERENCES requests(id),
    signer_user_id TEXT NOT NULL REFERENCES users(id),
    signer_role    TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    cms_sha256     TEXT NOT NULL,
    subject        TEXT NOT NULL,
    subject_iin    TEXT,
    subject_bin    TEXT,
    serial_hex     TEXT NOT NULL,
    issuer         TEXT NOT NULL,
    algorithm      TEXT NOT NULL,
    signed_at      TIMESTAMP,
    verified_at    TIMESTAMP NOT NULL
);
CREATE INDEX signatures_request ON signatures(request_id);
