"""Documents: reading the user's files, the library of indexed folders, and choosing what goes into a prompt."""
