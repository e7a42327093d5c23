"""Everything the bot keeps, in PostgreSQL: the only package that talks to the database."""
