"""Services: load from and write to the database, call the pure core. No request parsing here."""
