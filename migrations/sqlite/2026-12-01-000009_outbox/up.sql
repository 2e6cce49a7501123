-- Transactional outbox of e-mail (docs/mail.md): a message is written in the same
-- transaction as the change it tells about, and a worker sends it later. A row is leased
-- (lease_owner, lease_until) by one worker at a time, so several instances on one database
-- never send it twice; `status` is pending, sent or dead (after `attempts` failures).
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    lang            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    request_id      TEXT REFERENCES requests(id),
    document_id     TEXT,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_owner     TEXT,
    lease_until     TIMESTAMP,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- Password reset by e-mail: a one-time token (stored as its SHA-256), valid for an hour.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id),
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_resets_user ON password_resets(user_id);
