"""The sidebar: the conversation list, the history search and the downloads strip."""
