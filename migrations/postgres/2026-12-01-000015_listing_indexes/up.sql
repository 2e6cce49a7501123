-- Indexes for the listings people wait on (docs/performance.md § Scale). Each serves one
-- listing in its own order, so a page reads `limit` rows from an index instead of sorting
-- or counting the table. The partial ones state, word for word, the predicates the queries
-- state (`queries::AWAITING_SQL`, `intake_office <> provider_code`); a planner uses a
-- partial index only then.
-- Everything, newest first (administrators).
CREATE INDEX requests_created ON requests(created_at, number);
-- Staff, newest first: the requests their provider decides, and those their office took
-- in for another provider.
CREATE INDEX requests_provider_created ON requests(provider_code, created_at, number);
CREATE INDEX requests_intake_others ON requests(intake_office, created_at, number)
    WHERE intake_office <> provider_code;
-- Work queues and overdue lists, earliest due first: per deciding provider, per intake
-- office for other providers, and across providers.
CREATE INDEX requests_queue ON requests(provider_code, due_at, number)
    WHERE state IN ('registered', 'under_review');
CREATE INDEX requests_queue_intake ON requests(intake_office, due_at, number)
    WHERE state IN ('registered', 'under_review') AND intake_office <> provider_code;
CREATE INDEX requests_queue_all ON requests(due_at, number)
    WHERE state IN ('registered', 'under_review');
-- A person's requests by IIN or BIN: the staff `applicant` filter and the licence
-- registry's search by holder (R-003-07).
CREATE INDEX requests_applicant_iin ON requests(applicant_iin, created_at);
CREATE INDEX requests_applicant_bin ON requests(applicant_bin, created_at);
