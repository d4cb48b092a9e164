"""A loaded model's vocabulary: tokenizing, each token's bytes, which tokens end generation, and
which are control tokens (the special tokens a template's markers are made of).

A token's facts are fixed for the vocabulary, so each is asked of llama.cpp once and kept.
"""

from __future__ import annotations

import ctypes

import llama_cpp

# End-of-generation markers, as text, for a model that writes one out in plain pieces instead of
# its single token (or a ChatML fallback on a model that never learnt ChatML's tokens). Only
# "<|…|>"-shaped ones: "</s>" and "<end_of_turn>" read like HTML a user may well ask for.
_END_MARKER_KEYS = ("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")
_HARMONY_ENDS = ("<|return|>", "<|call|>")

TokenFacts = tuple[bytes, bool, bool]  # the piece, whether it ends generation, whether it is a control token


class Vocabulary:
    """The tokenizer of one ``Llama``."""

    def __init__(self, llm: llama_cpp.Llama) -> None:
        self._llm = llm
        self._vocab = llm._model.vocab
        bos = llm.token_bos()
        self.bos = bos
        self.bos_text = self.token_text(bos)
        self.eos_text = self.token_text(llm.token_eos())
        self.add_bos = bool(llama_cpp.llama_vocab_get_add_bos(self._vocab)) and bos >= 0
        self._piece_buffer = ctypes.create_string_buffer(64)
        self.facts: dict[int, TokenFacts] = {}  # filled by token_facts; read directly by the token loop

    def token_text(self, token: int) -> str:
        return self._llm._model.token_get_text(token) if token >= 0 else ""

    def tokenize(self, text: str) -> list[int]:
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def special_texts(self, text: str) -> list[str]:
        """The texts of the control tokens ``text`` holds, in order (``<|channel>``, ``<channel|>``)."""
        return [self.token_text(token) for token in self.tokenize(text) if self._is_control(token)]

    def end_markers(self, chatml_fallback: bool) -> tuple[str, ...]:
        """The texts of the model's end-of-generation tokens, as its metadata names them."""
        metadata = self._llm.metadata
        tokens = [int(metadata[key]) for key in _END_MARKER_KEYS if str(metadata.get(key, "")).isdigit()]
        for text in _HARMONY_ENDS:  # gpt-oss: no metadata key names these, the vocabulary has them
            ids = self.tokenize(text)
            if len(ids) == 1:
                tokens.append(ids[0])
        n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)
        texts = [
            self.token_text(token)
            for token in tokens
            if 0 <= token < n_vocab and llama_cpp.llama_vocab_is_eog(self._vocab, token)  # as llama.cpp sees it
        ]
        if chatml_fallback:
            texts.append("<|im_end|>")
        return tuple(dict.fromkeys(t for t in texts if t.startswith("<|") or t.endswith("|>")))

    def token_facts(self, token: int) -> TokenFacts:
        """A token's piece, whether it ends generation, and whether it is a control token, kept in
        ``facts`` (ctypes calls cost a few microseconds each)."""
        facts = self.facts.get(token)
        if facts is None:
            eog = bool(llama_cpp.llama_vocab_is_eog(self._vocab, token))
            facts = self.facts[token] = (self.piece(token), eog, self._is_control(token))
        return facts

    def _is_control(self, token: int) -> bool:
        return bool(llama_cpp.llama_vocab_get_attr(self._vocab, token) & llama_cpp.LLAMA_TOKEN_ATTR_CONTROL)

    def piece(self, token: int) -> bytes:
        # special=True: a control token is written out as its text, not dropped. gpt-oss's channel
        # markup (<|channel|>, <|message|>, <|end|>...) is made of control tokens, and so is <think>
        # in some vocabularies: without their text the reasoning could not be told from the answer.
        # And the cached text must spell every token in the KV cache, or a next prompt that extends
        # it would be tokenized as if those tokens were not there. End-of-generation tokens never
        # get here; other control tokens are kept out of what is shown by the token loop.
        buffer = self._piece_buffer
        size = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, len(buffer), 0, True)
        if size < 0:
            buffer = ctypes.create_string_buffer(-size)
            size = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, -size, 0, True)
        return buffer.raw[:size]
