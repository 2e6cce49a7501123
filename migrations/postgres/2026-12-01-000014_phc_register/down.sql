DROP TABLE phc_register;
