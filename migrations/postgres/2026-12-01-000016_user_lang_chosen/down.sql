ALTER TABLE users DROP COLUMN lang_chosen;
