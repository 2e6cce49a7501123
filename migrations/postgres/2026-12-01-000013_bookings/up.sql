-- Booked appointment slots (R-002-12, G-06): one row per booking of a doctor's slot. A
-- cancelled booking keeps its row (cancelled_at, cancelled_by) and frees the slot: the
-- partial unique index lets only one active booking hold a doctor's slot, so two
-- concurrent bookings of one slot cannot both commit, on either database.
CREATE TABLE bookings (
    id           TEXT PRIMARY KEY NOT NULL,
    request_id   TEXT NOT NULL REFERENCES requests(id),
    clinic_code  TEXT NOT NULL,
    doctor_code  TEXT NOT NULL,
    start_at     TIMESTAMP NOT NULL,
    end_at       TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    cancelled_at TIMESTAMP,
    cancelled_by TEXT
);
CREATE UNIQUE INDEX bookings_one_per_slot ON bookings(doctor_code, start_at) WHERE cancelled_at IS NULL;
CREATE INDEX bookings_clinic_time ON bookings(clinic_code, start_at);
CREATE INDEX bookings_request ON bookings(request_id);
