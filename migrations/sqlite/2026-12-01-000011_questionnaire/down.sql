DROP TABLE quality_answers;
