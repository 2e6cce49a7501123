-- What a document is to its request: the result, a motivated refusal or an intake receipt.
-- Documents issued before this column existed are classified by their template name.
ALTER TABLE documents ADD COLUMN issued_as TEXT NOT NULL DEFAULT 'result';
UPDATE documents SET issued_as = 'receipt' WHERE kind IN ('intake_receipt', 'payment_receipt');
UPDATE documents SET issued_as = 'refusal' WHERE kind IN ('refusal', 'support_refusal');
