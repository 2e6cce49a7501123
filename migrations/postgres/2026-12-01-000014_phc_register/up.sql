-- The register of the attached population (R-000-07, G-06, G-14): who is attached to which
-- clinic and district, since when and until when. A new attachment ends the previous one
-- (the row stays, with ended_at); the partial unique index keeps one active attachment per
-- person at any moment, on either database.
CREATE TABLE phc_register (
    id           TEXT PRIMARY KEY NOT NULL,
    person_iin   TEXT NOT NULL,
    clinic_code  TEXT NOT NULL,
    district     TEXT,
    started_at   TIMESTAMP NOT NULL,
    ended_at     TIMESTAMP,
    request_id   TEXT REFERENCES requests(id),
    ended_by     TEXT
);
CREATE UNIQUE INDEX phc_register_one_active ON phc_register(person_iin) WHERE ended_at IS NULL;
CREATE INDEX phc_register_person ON phc_register(person_iin, started_at);
CREATE INDEX phc_register_clinic ON phc_register(clinic_code);
