"""The server backend (one PostgreSQL database shared by any number of workers): PostgresStore (store) and its parts."""
