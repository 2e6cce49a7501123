-- Ruqsat schema, PostgreSQL flavour. Keep in step with ../../sqlite/ (same tables, columns, constraints).
-- Times are UTC (G-49); money is whole tiyn (BIGINT), never floating point.

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    iin           TEXT,
    bin           TEXT,
    email         TEXT,
    provider_code TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);

CREATE TABLE requests (
    id              TEXT PRIMARY KEY NOT NULL,
    number          TEXT NOT NULL UNIQUE,
    service_code    TEXT NOT NULL,
    service_version INTEGER NOT NULL,
    variant         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    state           TEXT NOT NULL,
    applicant_kind  TEXT NOT NULL,
    applicant_iin   TEXT,
    applicant_bin   TEXT,
    applicant_name  TEXT NOT NULL,
    owner_user_id   TEXT REFERENCES users(id),
    created_by      TEXT NOT NULL REFERENCES users(id),
    form_json       TEXT NOT NULL,
    fee_tiyn        BIGINT NOT NULL,
    registered_at   TIMESTAMP,
    due_at          TIMESTAMP,
    extended        BOOLEAN NOT NULL DEFAULT FALSE,
    version         BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CHECK (applicant_iin IS NOT NULL OR applicant_bin IS NOT NULL),
    CHECK (fee_tiyn >= 0)
);
CREATE INDEX requests_owner ON requests(owner_user_id, created_at);
CREATE INDEX requests_creator ON requests(created_by, created_at);
CREATE INDEX requests_service_state ON requests(service_code, state, created_at);

-- Append-only: every state change and every recorded act on a request (G-04).
CREATE TABLE request_history (
    id           TEXT PRIMARY KEY NOT NULL,
    request_id   TEXT NOT NULL REFERENCES requests(id),
    seq          BIGINT NOT NULL,
    at           TIMESTAMP NOT NULL,
    actor_id     TEXT REFERENCES users(id),
    actor_role   TEXT NOT NULL,
    action       TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    reason       TEXT,
    requirements TEXT NOT NULL,
    data_json    TEXT,
    UNIQUE (request_id, seq)
);
CREATE FUNCTION ruqsat_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER request_history_append_only BEFORE UPDATE OR DELETE ON request_history
FOR EACH ROW EXECUTE FUNCTION ruqsat_append_only();

CREATE TABLE attachments (
    id            TEXT PRIMARY KEY NOT NULL,
    request_id    TEXT NOT NULL REFERENCES requests(id),
    doc_type      TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    content_type  TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    attached_by   TEXT NOT NULL REFERENCES users(id),
    attached_role TEXT NOT NULL,
    original_seen BOOLEAN,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX attachments_request ON attachments(request_id);
