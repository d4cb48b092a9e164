"""The application shell: the composition root, the main window, its actions, look and language."""
