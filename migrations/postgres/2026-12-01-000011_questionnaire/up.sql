-- Quality questionnaire answers (R-000-60..63, R-002-64..67, R-003-68, R-004-54, R-004-55):
-- one answer set per request, given by its applicant once a result or refusal is issued.
CREATE TABLE quality_answers (
    request_id   TEXT PRIMARY KEY NOT NULL REFERENCES requests(id),
    service_code TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id),
    answers_json TEXT NOT NULL,
    answered_at  TIMESTAMP NOT NULL
);
CREATE INDEX quality_answers_service ON quality_answers(service_code, answered_at);
