"""Parley: a private chat assistant that runs local GGUF models.

``__version__`` is the release's base version (pyproject reads it); ``app.version.full_version``
adds the commit a build or a source checkout was made from.
"""

__version__ = "0.2.0"
