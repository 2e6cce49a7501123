DROP INDEX documents_registry_number;
ALTER TABLE documents DROP COLUMN registry_number;
