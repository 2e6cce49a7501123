-- Whether the user chose their language with the pages' switch: a chosen language is kept
-- on every sign-in; until then each sign-in takes the browser's (docs/web.md).
ALTER TABLE users ADD COLUMN lang_chosen BOOLEAN NOT NULL DEFAULT FALSE;
