"""Projects: named groups of conversations with their own instructions, defaults and library folders."""
