"""The llama.cpp worker process, and the only package that imports llama_cpp.

``loop`` serves the app's commands and pipes its log back; ``loading`` builds a ``Llama`` with the
GPU step-down; ``model`` is the loaded model (prompts, KV cache and states); ``generation`` its token
loop; ``tokens`` its vocabulary.
"""
