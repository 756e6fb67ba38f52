"""Setup's word-vector field: the file sets the embedding size, freezing reaches the config, a bad file is
a problem beside the form, and a series disables the field."""

from __future__ import annotations

from textual.widgets import Input, Select

from seqtui.tui.screens.setup import SetupScreen
from seqtui.tui.setup_form import FIELDS, config_from_form
from tests.tui.test_setup import fake_app, valid_form


def write_glove(path, dim: int = 6):
    path.write_text(
        "the " + " ".join(["0.5"] * dim) + "\n영화 " + " ".join(["1"] * dim) + "\n", encoding="utf-8"
    )
    return path


def test_the_form_takes_the_embedding_size_from_the_vector_file(tmp_path):
    path = str(write_glove(tmp_path / "g.txt", dim=6))
    config, problems = config_from_form(SetupScreen().base, valid_form(embedding_dim="8"), "topics-en", "lstm",
                                        None, None, path, True)  # fmt: skip
    assert problems == []
    assert (config.model.embeddings, config.model.embedding_dim, config.model.freeze_embeddings) == (
        path,
        6,
        True,
    )


def test_a_bad_vector_file_is_one_problem_of_the_form(tmp_path):
    (tmp_path / "v.bin").write_bytes(b"2 4\nthe \x00\x00\x00?\x00\x00\x80?")
    _, problems = config_from_form(SetupScreen().base, valid_form(), "topics-en", "lstm", None, None,
                                   str(tmp_path / "v.bin"))  # fmt: skip
    assert [p.field for p in problems] == ["embeddings"]
    assert "word2vec's binary format" in problems[0].message
    assert {spec.name for spec in FIELDS} >= {"embedding_dim"}


async def test_the_vector_field_fills_the_embedding_size_and_reaches_the_config(tmp_path):
    path = str(write_glove(tmp_path / "g.txt", dim=6))
    app = fake_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.query_one("#preset", Select).value = "topics-en-lstm"
        await pilot.pause()
        screen.query_one("#embeddings", Input).value = path
        screen.query_one("#freeze_embeddings", Select).value = True
        await pilot.pause()
        assert screen.query_one("#embedding_dim", Input).value == "6"
        assert screen.config is not None
        assert (screen.config.model.embeddings, screen.config.model.freeze_embeddings) == (path, True)
        assert (
            screen.setup_state()["embeddings"] == path and screen.setup_state()["freeze_embeddings"] is True
        )
        screen.query_one("#preset", Select).value = "seattle-gru"
        await pilot.pause()
        assert screen.query_one("#embeddings", Input).disabled  # a series has no words
        assert screen.config is not None and screen.config.model.embeddings is None
