ALTER TABLE documents DROP COLUMN issued_as;
