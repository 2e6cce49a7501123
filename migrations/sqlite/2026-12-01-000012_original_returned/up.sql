-- R-004-12: at the desk the employee checks the paper original against the scan and hands
-- it back; the attachment records whether the original was returned to the applicant.
ALTER TABLE attachments ADD COLUMN original_returned BOOLEAN;
