-- One-time challenges an applicant signs to register (R-000-14, R-003-15, R-004-25).
CREATE TABLE registration_challenges (
    challenge  TEXT PRIMARY KEY NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
