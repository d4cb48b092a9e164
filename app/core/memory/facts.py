"""How memories are compared: normalised text, content words, token overlap, and a fact's subject.

One rule for "the same fact in other words" (``same_fact``: equal normalised text, a meaning cosine at
least ``SAME_MEANING`` when vectors are given, else a content-word overlap at least ``SAME_WORDS``) and
one for "a fact that contradicts another" without a model (``same_subject``: both say what the user's
name, home, job, age, language … is, with different values).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

SAME_MEANING = 0.92  # cosine of two unit vectors at which two facts are one
SAME_WORDS = 0.75  # Jaccard overlap of content words at which two facts are one (no embedder)

_CONTRACTIONS = (("i'm", "i am"), ("i’m", "i am"), ("n't", " not"), ("n’t", " not"), ("'ve", " have"))
_WORD = re.compile(r"[\w]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_STOPWORDS_TEXT = (
    "a an the i me my mine am is are was were be been to of and or in on at for with that this it as by "
    "user users you your he she they we our their do does did have has had so very really just also"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# "my name is Sam", "I live in Leeds", "I work as a nurse", "I am 34 years old": the part before the value.
_SUBJECTS = (
    re.compile(r"^(?:my|the user s|the users|user s)\s+((?:\w+\s+){0,2}?\w+)\s+(?:is|are)\s+(.+)$"),
    re.compile(r"^(?:i|the user|user)\s+(live|lives|work|works|study|studies)\s+(?:in|at|as|for)\s+(.+)$"),
    re.compile(r"^(?:i am|the user is|user is)\s+(\d+)\s+(years? old)$"),
    re.compile(r"^(?:i am|the user is|user is)\s+(?:an?\s+)?(vegetarian|vegan|pescatarian)(.*)$"),
)


def normalise(text: str) -> str:
    """Lower case, "I'm" and "n't" spelled out, punctuation gone, single spaces: ``"I'm Sam!"`` → ``"i am sam"``."""
    text = unicodedata.normalize("NFKC", text).lower().strip()
    for short, long in _CONTRACTIONS:
        text = text.replace(short, long)
    return " ".join(_WORD.findall(text))


def content_words(text: str) -> frozenset[str]:
    """The words that carry the fact (no stop words); each CJK character counts as a word."""
    normal = normalise(text)
    words = {word for word in normal.split() if word not in STOPWORDS and not _CJK.search(word)}
    words |= set(_CJK.findall(normal))
    return frozenset(words)


def overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two texts' content words (0: nothing shared)."""
    left, right = content_words(a), content_words(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / denominator) if denominator else 0.0


def same_fact(a: str, b: str, vectors: tuple[np.ndarray, np.ndarray] | None = None) -> bool:
    """Whether two texts state one fact (the rule for merging duplicates)."""
    if normalise(a) == normalise(b):
        return True
    if vectors is not None:
        return cosine(*vectors) >= SAME_MEANING
    return overlap(a, b) >= SAME_WORDS


def subject(text: str) -> tuple[str, str] | None:
    """``(what, value)`` of a fact about one attribute of the user ("name", "sam"), or None."""
    normal = normalise(text)
    for pattern in _SUBJECTS:
        found = pattern.match(normal)
        if found is not None:
            what, value = found.group(1), found.group(2)
            if pattern is _SUBJECTS[2]:
                return "age", what
            if pattern is _SUBJECTS[3]:
                return "diet", what
            return {"lives": "live", "works": "work", "studies": "study"}.get(what, what), value
    return None


def same_subject(new: str, old: str) -> bool:
    """Whether ``new`` says something else about the very attribute ``old`` is about (so replaces it)."""
    a, b = subject(new), subject(old)
    return a is not None and b is not None and a[0] == b[0] and a[1] != b[1]


def stated_in(fact: str, message: str) -> bool:
    """Whether ``fact`` is grounded in ``message``: most of its content words are in it (the model may
    rephrase "I" as "the user", but not bring facts of its own)."""
    words = content_words(fact) - {"user", "users"}
    if not words:
        return False
    said = content_words(message)
    stems = {word[:4] for word in said}  # "lives" is "live", "works" is "work"
    found = sum(1 for word in words if word in said or word[:4] in stems)
    return found / len(words) >= 0.6
