"""What a voice says for an answer's Markdown."""

from __future__ import annotations

from app.core.voice.spoken_text import SpokenStream, spoken_sentences

ANSWER = """# Setting up

Install it with **pip**, then run `parley --help`. That's all!

```sh
pip install parley
```

1. Open [the window](https://example.org).
2. Pick a *model*.

| Name | Size |
| --- | --- |
| tiny | 75 MB |

好的。我们开始吧！"""


def test_markdown_is_read_as_text_and_code_blocks_as_a_phrase() -> None:
    assert spoken_sentences(ANSWER) == [
        "Setting up",
        "Install it with pip, then run parley --help.",
        "That's all!",
        "Code block.",
        "Open the window.",
        "Pick a model.",
        "Name, Size.",
        "tiny, 75 MB.",
        "好的。",
        "我们开始吧！",
    ]


def test_a_chinese_voice_says_the_code_block_phrase_in_chinese() -> None:
    assert spoken_sentences("看：\n\n```\nx = 1\n```\n", "zh") == ["看：", "代码块。"]


def test_a_streaming_answer_gives_each_sentence_once_when_it_is_complete() -> None:
    stream = SpokenStream()
    given: list[list[str]] = []
    for end in range(1, len(ANSWER) + 1):
        given.append(stream.update(ANSWER[:end]))
    given.append(stream.finish(ANSWER))

    said = [sentence for batch in given for sentence in batch]
    assert said == spoken_sentences(ANSWER)
    first = next(index for index, batch in enumerate(given) if batch)
    assert given[first] == ["Setting up"]
    assert first < ANSWER.index("Install") + 2  # the heading is said as soon as the next block begins


def test_an_unfinished_sentence_waits() -> None:
    stream = SpokenStream()
    assert stream.update("The first sentence. The second is still") == ["The first sentence."]
    assert stream.update("The first sentence. The second is still being written") == []
    assert stream.finish("The first sentence. The second is still being written.") == [
        "The second is still being written."
    ]
