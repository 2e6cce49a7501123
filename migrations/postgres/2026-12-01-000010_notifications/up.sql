-- In-app notifications: the «Уведомления» section of the personal cabinet (R-004-39,
-- R-004-40), written in the same transaction as the change they tell about. The text is
-- rendered when read, in ru/kk/en, from `kind` and `data_json`.
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id),
    request_id TEXT NOT NULL REFERENCES requests(id),
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    data_json  TEXT,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);

-- The language a person's mail is written in: the one their browser asked for at their
-- last sign-in (`Accept-Language`).
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'ru';
