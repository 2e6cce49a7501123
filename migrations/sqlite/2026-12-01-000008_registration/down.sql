DROP TABLE registration_challenges;
