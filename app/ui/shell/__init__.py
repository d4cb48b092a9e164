"""The application shell: the composition root, its services, the main window and its parts, look and language."""
