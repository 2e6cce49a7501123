-- The licence number a document carries (R-003-06/07): an e-licence, its re-issues and
-- duplicates share it, so the registry status of a licence applies to all of them.
ALTER TABLE documents ADD COLUMN registry_number TEXT;
CREATE INDEX documents_registry_number ON documents(registry_number);
