ALTER TABLE attachments DROP COLUMN original_returned;
