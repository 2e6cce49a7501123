DROP INDEX sessions_expiry;
DROP TABLE account_audit;
DROP TABLE access_log;
DROP TABLE login_throttle;
DROP INDEX requests_intake;
DROP INDEX requests_provider_state;
ALTER TABLE requests DROP COLUMN intake_office;
ALTER TABLE requests DROP COLUMN provider_code;
