"""Parley as a local OpenAI-compatible API server (``/v1/models``, ``/v1/chat/completions``).

Off by default. Starlette routes (``app``), OpenAI's wire format (``openai_shapes``), who may call
it (``guard``), uvicorn on a thread (``server``), and the models it may serve, from the registry
(``choices_from``).
"""
