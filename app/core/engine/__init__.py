"""Inference engines: one protocol, a local llama.cpp worker process and a remote server."""
