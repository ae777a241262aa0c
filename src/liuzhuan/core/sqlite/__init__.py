"""Django's SQLite backend with the ``%s`` → ``?`` conversion memoised (see ``base``)."""
