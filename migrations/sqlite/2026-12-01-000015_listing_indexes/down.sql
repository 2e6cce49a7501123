DROP INDEX requests_applicant_bin;
DROP INDEX requests_applicant_iin;
DROP INDEX requests_queue_all;
DROP INDEX requests_queue_intake;
DROP INDEX requests_queue;
DROP INDEX requests_intake_others;
DROP INDEX requests_provider_created;
DROP INDEX requests_created;
