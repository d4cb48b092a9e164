"""The history: conversations and their message trees in SQLite, with backups, recovery, search and export."""
