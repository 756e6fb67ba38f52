"""Korean morphemes (kiwipiepy): the analysis the lessons use, stopwords, batches with progress and
cancellation, the run folder's record of the analyser, and the CLI's --tokenizer/--stopwords/--json."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.core.config.presets import PRESETS
from seqtui.core.config.run_config import DataConfig, UnknownName
from seqtui.core.config.tokenizing import read_stopwords, split_for, tokenizer_overrides
from seqtui.datasets import morphemes
from seqtui.datasets.base import TextEncoder, encoder_from_dict
from seqtui.datasets.errors import DataError
from seqtui.datasets.morphemes import KOREAN_STOPWORDS, AnalyserMissing, analyse, on_progress
from seqtui.datasets.registry import get_dataset
from seqtui.datasets.tokenizer import Tokenizer
from tests.data_files import write_nsmc


def morpheme_tokenizer(**kw) -> Tokenizer:
    return Tokenizer(split="morpheme", **kw)


def test_particles_and_endings_are_split_off():
    assert analyse(["날씨가 좋네"]) == [["날씨", "가", "좋", "네"]]
    tok = morpheme_tokenizer()
    assert tok.split_text("날씨가 좋네") == tok.split_text("날씨가 좋네!!")  # punctuation gone
    # three words, one noun: the point of morphemes
    assert [words[0] for words in analyse(["날씨가", "날씨는", "날씨도"])] == ["날씨"] * 3


def test_the_token_view_shows_morphemes_and_marks_unknown_ones():
    tok = morpheme_tokenizer()
    tok.count_pieces(tok.split_texts(["날씨가 좋다", "영화가 좋네요"]))
    view = tok.view("날씨가 좋네")
    assert [t.text for t in view] == ["날씨", "가", "좋", "네"]
    assert [t.known for t in view] == [True, True, True, False]  # 네 was never seen (네요 was 네 + 요?)
    assert view[3].id == tok.oov_id and view[0].id == tok.word_index["날씨"]


def test_stopwords_match_forms_and_verb_stems():
    stop = set(KOREAN_STOPWORDS)
    [kept] = analyse(["그 영화를 보고 했다"], stopwords=stop)
    assert "를" not in kept and "하" not in kept  # 하다 drops the stem of 했다
    assert "영화" in kept and "보" in kept
    [kept] = analyse(["좋은 날씨"], stopwords=stop)
    assert "좋" in kept  # 좋다 is no stopword


def test_content_morphemes_drop_particles_and_endings():
    [content] = analyse(["날씨가 정말 좋았다"], content_only=True)
    assert content == ["날씨", "정말", "좋"]


def test_mixed_scripts_emoji_and_empty_texts():
    tok = morpheme_tokenizer()
    pieces = tok.split_texts(["I love 서울 so much", "👍👍 🙂", "", "!!! ...", "ㅋㅋㅋ 재밌다"])
    assert pieces[0] == ["i", "love", "서울", "so", "much"]
    assert pieces[1] == pieces[2] == pieces[3] == []
    assert "ㅋㅋㅋ" in pieces[4] and "재밌" in pieces[4]
    raw = morpheme_tokenizer(standardize="none").split_text("최고 👍")
    assert raw[0] == "최고"  # with no standardising, the emoji stays a token
    assert TextEncoder(tok, 5).encode(["", "👍"]).tolist() == [[0] * 5, [0] * 5]


korean_mix = st.text(
    alphabet=st.sampled_from(list("날씨가좋네영화재밌다는을를하고ㅋㅎabcXYZ 123!?.,👍🙂\t\n")), max_size=40
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(korean_mix, min_size=1, max_size=5))
def test_any_mix_gives_clean_tokens_and_batches_agree(texts):
    tok = morpheme_tokenizer(stopwords=KOREAN_STOPWORDS)
    batch = tok.split_texts(texts)
    assert batch == [tok.split_text(t) for t in texts]  # batching never changes the analysis
    stop = set(KOREAN_STOPWORDS)
    for words, every in zip(batch, morpheme_tokenizer().split_texts(texts), strict=True):
        assert all(w and not any(c.isspace() for c in w) for w in words)
        assert not Counter(words) - Counter(every)  # stopwords only remove
        assert all(w in stop or w + "다" in stop for w in Counter(every) - Counter(words))


def test_progress_is_reported_per_batch_and_can_stop_the_analysis(monkeypatch):
    monkeypatch.setattr(morphemes, "BATCH", 3)
    seen: list[tuple[int, int]] = []
    with on_progress(lambda done, total: seen.append((done, total))):
        assert len(analyse([f"{n}번 좋다" for n in range(7)] + ["0번 좋다"])) == 8
    assert seen == [(3, 7), (6, 7), (7, 7)]  # distinct texts, each analysed once

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with on_progress(stop), pytest.raises(KeyboardInterrupt):
        analyse([f"{n}번 좋다" for n in range(7)])
    assert len(analyse(["좋다"] * 4)) == 4  # the hook is gone after its block


def test_the_encoder_records_the_analyser_and_round_trips():
    tok = morpheme_tokenizer(stopwords=("가",), content_only=True)
    tok.count_pieces(tok.split_texts(["날씨가 좋다"]))
    raw = json.loads(json.dumps(TextEncoder(tok, 10).to_dict()))
    assert raw["tokenizer"]["analyser"] == f"kiwipiepy {morphemes.installed_version()}"
    again = encoder_from_dict(raw).tokenizer
    assert again == tok and again.split_text("날씨가 좋네") == ["날씨", "좋"]


def test_an_older_run_without_tokenizer_fields_keeps_working():
    old = {"word_index": {"날씨가": 2}, "num_words": None, "oov_id": 1, "start_id": None,
           "standardize": "lower_punct", "split": "whitespace", "stopwords": []}  # fmt: skip
    tok = Tokenizer.from_dict(old)
    assert tok.analyser is None and not tok.content_only
    assert tok.encode("날씨가 좋네") == [2, 1]


def test_a_missing_analyser_is_one_clear_message(monkeypatch):
    from seqtui.core.inference.predict import _analyser_notes

    saved = morpheme_tokenizer()
    monkeypatch.setattr(morphemes, "installed_version", lambda: None)
    with pytest.raises(AnalyserMissing, match="pip install kiwipiepy"):
        morpheme_tokenizer()
    with pytest.raises(AnalyserMissing, match=r"pip install 'kiwipiepy==\d"):
        _analyser_notes(TextEncoder(saved, 10))
    monkeypatch.setattr(morphemes, "installed_version", lambda: "0.0.1")
    [note] = _analyser_notes(TextEncoder(saved, 10))
    assert "kiwipiepy 0.0.1 is installed" in note
    monkeypatch.setattr(morphemes, "installed_version", lambda: None)
    result = CliRunner().invoke(app, ["summary", "topics-en-lstm", "--tokenizer", "morphemes"])
    assert result.exit_code == 0  # a summary needs no analysis
    result = CliRunner().invoke(
        app, ["train", "--dataset", "topics-ko", "--tokenizer", "morphemes", "--epochs", "1"]
    )
    assert result.exit_code == 2 and "needs the Korean analyser kiwipiepy" in result.output
    assert "Traceback" not in result.output


def test_tokenizer_and_stopword_choices(tmp_path):
    assert split_for("morphemes") == "morpheme" and split_for("characters") == "character"
    with pytest.raises(UnknownName, match="morphemes"):
        split_for("morphems")
    assert read_stopwords("ko") == KOREAN_STOPWORDS and read_stopwords("none") == ()
    (tmp_path / "stop.txt").write_text("# mine\n영화, 정말\n너무 영화\n", encoding="utf-8")
    assert read_stopwords(str(tmp_path / "stop.txt")) == ("영화", "정말", "너무")
    (tmp_path / "empty.txt").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(DataError, match="holds no stopwords"):
        read_stopwords(str(tmp_path / "empty.txt"))
    with pytest.raises(DataError, match="neither ko, none nor an existing file"):
        read_stopwords("korean")
    words = DataConfig("topics-ko")
    assert tokenizer_overrides(words, "morphemes", None)["stopwords"] == KOREAN_STOPWORDS
    assert tokenizer_overrides(words, "morphemes", "none")["stopwords"] == ()
    assert "stopwords" not in tokenizer_overrides(words, "words", None)  # no change, no new default
    lesson = PRESETS["nsmc-lstm"].config.data
    assert tokenizer_overrides(lesson, "characters", None)["stopwords"] == ()
    assert tokenizer_overrides(lesson, "words", "ko")["stopwords"] == KOREAN_STOPWORDS
    assert tokenizer_overrides(words, None, None) == {}  # nothing chosen: the config's own
    for only in (True, False):
        assert tokenizer_overrides(words, None, None, only) == {"content_morphemes": only}


def test_korean_presets_default_to_morphemes():
    for name in ("nsmc-lstm", "topics-ko-lstm"):
        data = PRESETS[name].config.data
        assert data.split == "morpheme" and data.stopwords == KOREAN_STOPWORDS


def test_nsmc_file_loads_as_morphemes(tmp_path):
    path = write_nsmc(tmp_path / "ratings_train.txt")
    config = PRESETS["nsmc-lstm"].config.data
    ds = get_dataset("nsmc").load(DataConfig("nsmc", data_path=str(path), maxlen=20, split="morpheme",
                                             standardize="hangul", stopwords=config.stopwords))  # fmt: skip
    vocab = ds.encoder.tokenizer.word_index
    assert "재밌" in vocab or "재미" in vocab
    assert not set(vocab) & set(KOREAN_STOPWORDS)
    assert ds.encoder.tokenizer.analyser.startswith("kiwipiepy ")


def test_train_and_predict_json_show_the_morphemes_the_model_saw(tmp_path):
    runs = tmp_path / "runs"
    path = write_nsmc(tmp_path / "ratings_train.txt")
    result = CliRunner().invoke(app, [
        "train", "--preset", "nsmc-lstm", "--data", str(path), "--vocab-size", "200", "--units", "4",
        "--embedding-dim", "4", "--epochs", "1", "--stopwords", "none", "--json", "--runs-dir", str(runs),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    end = json.loads(result.stdout.splitlines()[-1])
    saved = json.loads((runs / end["run_dir"].split("/")[-1] / "encoder.json").read_text())
    assert saved["tokenizer"]["split"] == "morpheme" and saved["tokenizer"]["stopwords"] == []
    result = CliRunner().invoke(app, ["predict", end["run_dir"], "재미는 없다 날씨", "👍", "--json"])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert [t["text"] for t in first["tokens"]][:3] == ["재미", "는", "없"]
    assert first["tokens"][-1] == {"text": "날씨", "id": 1, "known": False}
    assert first["unknown"] >= 1 and abs(sum(c["p"] for c in first["classes"]) - 1) < 1e-5
    assert second["tokens"] == [] and "padding only" in second["note"]


def test_a_cancelled_run_stops_during_the_analysis_with_no_run_folder(runs_dir):
    import threading

    from seqtui.core.config.errors import Cancelled
    from seqtui.core.training.runner import train

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled, match="stopped while analysing morphemes"):
        train(PRESETS["topics-ko-lstm"].config, lambda event: None, cancel, runs_dir=runs_dir)
    assert not runs_dir.exists() or not any(runs_dir.iterdir())
