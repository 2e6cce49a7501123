-- Provider scope (R-003-66, G-51): the provider that decides a request and the office
-- (ЦОН or desk department) that took it in; staff see and act only within their provider.
ALTER TABLE requests ADD COLUMN provider_code TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN intake_office TEXT;
-- Requests made before this column existed: each service had one provider.
UPDATE requests SET provider_code = 'mangystau-health' WHERE service_code = 'med-licence';
UPDATE requests SET provider_code = 'shymkent-employment' WHERE service_code = 'disabled-child-support';
UPDATE requests SET provider_code = 'astana-polyclinic-1'
    WHERE service_code IN ('doctor-appointment', 'doctor-home-call', 'phc-attachment');
UPDATE requests SET intake_office =
    (SELECT u.provider_code FROM users u WHERE u.id = requests.created_by AND u.role <> 'applicant');
CREATE INDEX requests_provider_state ON requests(provider_code, state, due_at);
CREATE INDEX requests_intake ON requests(intake_office, created_at);

-- Failed logins, per account ("login:<name>") and per address ("addr:<ip>"), in the database
-- so every instance throttles alike.
CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY NOT NULL,
    failures      BIGINT NOT NULL,
    last_failure  TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP
);

-- Every staff read of a request's personal data (R-003-66, R-004-53). Append-only.
CREATE TABLE access_log (
    id         TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL,
    what       TEXT NOT NULL,
    at         TIMESTAMP NOT NULL
);
CREATE INDEX access_log_request ON access_log(request_id, at);

-- Every account change: created, disabled, enabled, role or provider changed. Append-only.
CREATE TABLE account_audit (
    id      TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL,
    at      TIMESTAMP NOT NULL
);
CREATE INDEX account_audit_user ON account_audit(user_id, at);
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
FOR EACH ROW EXECUTE FUNCTION ruqsat_append_only();
CREATE TRIGGER account_audit_append_only BEFORE UPDATE OR DELETE ON account_audit
FOR EACH ROW EXECUTE FUNCTION ruqsat_append_only();
CREATE INDEX sessions_expiry ON sessions(expires_at);
