-- The payment ledger (R-003-08, R-003-20..22; issue #6). A payment is confirmed only by a
-- verified gateway callback or a status query, never by the browser's return.
-- `id` is our payment id and the idempotency key sent to the gateway.
CREATE TABLE payments (
    id                 TEXT PRIMARY KEY NOT NULL,
    request_id         TEXT NOT NULL REFERENCES requests(id),
    gateway_payment_id TEXT UNIQUE,
    amount_tiyn        BIGINT NOT NULL CHECK (amount_tiyn > 0),
    currency           TEXT NOT NULL,
    payer_iin_bin      TEXT NOT NULL,
    kbk                TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    -- pending | paid | declined | expired
    status             TEXT NOT NULL,
    payment_page_url   TEXT,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    paid_at            TIMESTAMP,
    last_event_id      TEXT
);
CREATE INDEX payments_request ON payments(request_id);

-- Every verified gateway event (callback or status query), append-only; a repeated
-- callback event id is stored once.
CREATE TABLE payment_events (
    id           TEXT PRIMARY KEY NOT NULL,
    payment_id   TEXT NOT NULL REFERENCES payments(id),
    received_at  TIMESTAMP NOT NULL,
    source       TEXT NOT NULL,
    status       TEXT NOT NULL,
    amount_tiyn  BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    outcome      TEXT NOT NULL
);
CREATE INDEX payment_events_payment ON payment_events(payment_id);
CREATE TRIGGER payment_events_append_only BEFORE UPDATE OR DELETE ON payment_events
FOR EACH ROW EXECUTE FUNCTION ruqsat_append_only();
