// placeholder until the database is chosen
