"""The tokeniser: standardising every script, vocabulary by frequency, Keras' conventions, padding, and a
round trip through the run folder's JSON."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seqtui.datasets.base import TextEncoder, encoder_from_dict
from seqtui.datasets.tokenizer import Tokenizer, clip_ids, pad, standardize_text

KOREAN = ["안녕. 오늘 날씨가 참 좋네", "오늘 주가가 어때?", "어제 주가가 어때?", "딥러닝 공부는 재밌다!"]


def test_standardize_keeps_every_script_and_drops_punctuation():
    assert standardize_text("Hello, World!!") == "hello world"
    assert standardize_text("안녕. 오늘 날씨가 참 좋네") == "안녕 오늘 날씨가 참 좋네"
    assert standardize_text("Ça coûte 10€ — très cher?") == "ça coûte 10 très cher"
    assert standardize_text("東京は晴れ。Привет, мир! مرحبا") == "東京は晴れ привет мир مرحبا"
    assert standardize_text("emoji 🙂 gone") == "emoji gone"


def test_standardize_hangul_only_and_none():
    assert standardize_text("이 영화 ㅋㅋ 최고!! best 10/10", "hangul") == "이 영화 ㅋㅋ 최고"
    assert standardize_text("Keep, Everything!", "none") == "Keep, Everything!"


def test_vocabulary_by_frequency_with_padding_and_oov():
    tok = Tokenizer.fit(["b a a", "c a b"])
    assert tok.word_index == {"a": 2, "b": 3, "c": 4}  # 0 padding, 1 OOV, then most frequent first
    assert tok.encode("a b c d") == [2, 3, 4, 1]
    assert tok.vocab_size == 5
    assert tok.decode([0, 2, 3, 1]) == ["a", "b", "<oov>"]


def test_ties_keep_first_seen_order_so_fits_are_reproducible():
    assert Tokenizer.fit(["z y x"]).word_index == {"z": 2, "y": 3, "x": 4}


def test_num_words_keeps_ids_below_it():
    tok = Tokenizer.fit(["a a a b b c"], num_words=4)
    assert tok.encode("a b c") == [2, 3, 1]
    assert tok.vocab_size == 4


def test_keras_word_index_convention():
    tok = Tokenizer.from_keras_word_index({"the": 1, "film": 2, "great": 3}, num_words=6)
    assert tok.encode("The film, great!") == [1, 4, 5, 2]  # start=1, rank r -> r+3, 6 >= num_words -> OOV 2
    assert tok.decode([1, 4, 2]) == ["<start>", "the", "<oov>"]


def test_keras_word_index_with_apostrophes_keeps_them_in_typed_text():
    """IMDB's index holds "don't" and "everyone's": a typed sentence must find them, not "don" and "t"."""
    tok = Tokenizer.from_keras_word_index({"the": 1, "don't": 2, "film": 3, "everyone's": 4}, num_words=20)
    assert tok.encode("Don't watch the film, everyone’s 'right'") == [1, 5, 2, 4, 6, 7, 2]
    assert Tokenizer.from_dict(json.loads(json.dumps(tok.to_dict()))).encode("don't") == [1, 5]
    plain = Tokenizer.from_keras_word_index({"the": 1, "don": 2}, num_words=20)  # no apostrophes: as before
    assert plain.encode("don't") == [1, 5, 2]
    assert standardize_text("x'y 'z'") == "x y z"


def test_character_split_for_korean():
    tok = Tokenizer.fit(KOREAN, split="character")
    assert tok.split_text("참  좋네!") == ["참", " ", "좋", "네"]  # one space token between words
    ids = tok.encode("오늘 날씨")
    assert "".join(tok.decode(ids)) == "오늘 날씨"


def test_korean_word_order_is_kept():
    tok = Tokenizer.fit(KOREAN)
    assert tok.encode("오늘 주가가 어때?") != tok.encode("어제 주가가 어때?")
    assert tok.encode("주가가 오늘") == list(reversed(tok.encode("오늘 주가가")))


def test_stopwords_are_dropped():
    tok = Tokenizer.fit(["영화 가 좋다"], stopwords=("가",))
    assert tok.split_text("영화 가 좋다") == ["영화", "좋다"]


def test_pad_pre_is_the_default_for_padding_and_truncating():
    assert pad([[1, 2, 3, 4, 5], [6]], 3).tolist() == [[3, 4, 5], [0, 0, 6]]
    assert pad([[1, 2, 3, 4, 5], [6]], 3, "post", "post").tolist() == [[1, 2, 3], [6, 0, 0]]
    assert pad([[], [7]], 2).tolist() == [[0, 0], [0, 7]]
    assert pad([], 4).shape == (0, 4)


def test_clip_ids():
    assert clip_ids([[1, 5, 9]], 6, 2) == [[1, 5, 2]]


def test_encoder_round_trip_through_json_encodes_the_same():
    tok = Tokenizer.fit(KOREAN + ["hello world"], num_words=50, split="character", stopwords=("참",))
    encoder = TextEncoder(tok, maxlen=8, padding="post", truncating="pre")
    again = encoder_from_dict(json.loads(json.dumps(encoder.to_dict(), ensure_ascii=False)))
    texts = ["안녕. 오늘 날씨가 참 좋네", "hello", "처음 보는 글자 😀"]
    assert np.array_equal(encoder.encode(texts), again.encode(texts))
    assert again.tokenizer == tok


def test_view_reports_known_words_and_the_cut():
    encoder = TextEncoder(Tokenizer.fit(["a b c"]), maxlen=2)
    tokens, cut = encoder.view("a b zz")
    assert cut == 1
    assert [(t.text, t.known) for t in tokens] == [("b", True), ("zz", False)]


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
mixed = st.lists(
    st.sampled_from(
        ["오늘", "날씨", "좋네", "hello", "Мир", "東京", "🙂", "مرحبا", "ça", "!!", "10", "\u200b", " "]
    ),
    max_size=12,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    corpus=st.lists(texts | mixed, min_size=1, max_size=8), query=texts | mixed, num_words=st.integers(3, 40)
)
def test_encode_never_fails_and_ids_stay_below_vocab(corpus, query, num_words):
    for split in ("whitespace", "character"):
        tok = Tokenizer.fit(corpus, num_words=num_words, split=split)
        ids = tok.encode(query)
        assert all(0 < i < tok.vocab_size <= num_words for i in ids)
        assert all(i < num_words for text in corpus for i in tok.encode(text))
        again = Tokenizer.from_dict(json.loads(json.dumps(tok.to_dict())))
        assert again.encode(query) == ids


@settings(max_examples=100, deadline=None)
@given(corpus=st.lists(mixed, min_size=1, max_size=6))
def test_known_words_decode_back(corpus):
    tok = Tokenizer.fit(corpus)
    for text in corpus:
        assert tok.decode(tok.encode(text)) == tok.split_text(text)


@settings(max_examples=100, deadline=None)
@given(
    seqs=st.lists(st.lists(st.integers(1, 99), max_size=30), max_size=10),
    maxlen=st.integers(1, 20),
    padding=st.sampled_from(["pre", "post"]),
    truncating=st.sampled_from(["pre", "post"]),
)
def test_pad_shapes_and_kept_ids(seqs, maxlen, padding, truncating):
    out = pad(seqs, maxlen, padding, truncating)
    assert out.shape == (len(seqs), maxlen)
    assert out.dtype == np.int32
    for row, seq in zip(out, seqs, strict=True):
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        assert [i for i in row.tolist() if i] == kept
        if kept and len(kept) < maxlen:
            assert (row[0] == 0) == (padding == "pre")
