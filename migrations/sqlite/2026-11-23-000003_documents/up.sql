-- Signed result documents (PAdES PDFs): e-licences, refusals, decisions, confirmations, receipts
-- (R-003-05, R-003-32, R-003-44, R-004-23, R-004-36; issue #5). The PDF itself is in the
-- content-addressed file store under `sha256`; `id` is the unguessable public id of /verify/{id}.
CREATE TABLE documents (
    id             TEXT PRIMARY KEY NOT NULL,
    request_id     TEXT NOT NULL REFERENCES requests(id),
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    signer_subject TEXT NOT NULL,
    signer_serial  TEXT NOT NULL,
    issued_at      TIMESTAMP NOT NULL,
    issued_by      TEXT REFERENCES users(id),
    -- valid | superseded | suspended | terminated (R-003-07)
    status         TEXT NOT NULL,
    status_reason  TEXT,
    status_at      TIMESTAMP NOT NULL,
    superseded_by  TEXT REFERENCES documents(id)
);
CREATE INDEX documents_request ON documents(request_id);
