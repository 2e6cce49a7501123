DROP TABLE attachments;
DROP TRIGGER request_history_no_delete;
DROP TRIGGER request_history_no_update;
DROP TABLE request_history;
DROP TABLE requests;
DROP TABLE counters;
DROP TABLE sessions;
DROP TABLE users;
