DROP TABLE attachments;
DROP TABLE request_history;
DROP FUNCTION ruqsat_append_only CASCADE;
DROP TABLE requests;
DROP TABLE counters;
DROP TABLE sessions;
DROP TABLE users;
