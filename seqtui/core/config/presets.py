"""Presets as data: every model of the lessons and of the offline samples, with its exact parameter count."""

from __future__ import annotations

from dataclasses import dataclass

from seqtui.common.names import suggest
from seqtui.core.config.run_config import DataConfig, ModelConfig, RunConfig, TrainConfig, UnknownName
from seqtui.datasets.config import KOREAN_STOPWORDS


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    config: RunConfig
    params: int | None = None
    """The parameter count the source lists; None where it lists none."""
    result: str = ""
    """The result the source reports."""

    @property
    def dataset(self) -> str:
        return self.config.data.dataset

    @property
    def arch(self) -> str:
        return self.config.model.arch


def _preset(
    name: str,
    description: str,
    data: DataConfig,
    model: ModelConfig,
    train: TrainConfig,
    params: int | None = None,
    result: str = "",
) -> Preset:
    return Preset(name, description, RunConfig(data, model, train, preset=name), params, result)


MEMORY_LENGTH = 70
"""The adding problem's default length: where SimpleRNN stays on the baseline and LSTM and GRU learn."""
MEMORY_EPOCHS = 20

# Presets read as a table, one block per preset: ruff format leaves it as written.
# fmt: off

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        _preset("reuters-lstm", "Reuters topics: Embedding(1000,100) LSTM(100) Dense(46)",
                DataConfig("reuters", vocab_size=1000, maxlen=100),
                ModelConfig("lstm", embedding_dim=100, units=100),
                TrainConfig(epochs=20, batch_size=100), 185_046, "test acc 0.7128"),
        _preset("reuters-lstm-120", "Reuters topics: Embedding(1000,120) LSTM(120) Dense(46)",
                DataConfig("reuters", vocab_size=1000, maxlen=100),
                ModelConfig("lstm", embedding_dim=120, units=120),
                TrainConfig(epochs=20, batch_size=100), 241_246, "test acc 0.7133"),
        _preset("imdb-cnn-lstm", "IMDB sentiment: Dropout, Conv1D(64,5), MaxPooling1D(4), LSTM(55)",
                DataConfig("imdb", vocab_size=5000, maxlen=100),
                ModelConfig("cnn_lstm", embedding_dim=100, units=55, dropout=0.5, conv_filters=64,
                            conv_kernel=5, pool_size=4),
                TrainConfig(epochs=5, batch_size=100), 558_520, "curves only"),
        _preset("imdb-lstm", "IMDB sentiment: Embedding(5000,120) LSTM(120)",
                DataConfig("imdb", vocab_size=5000, maxlen=500),
                ModelConfig("lstm", embedding_dim=120, units=120),
                TrainConfig(epochs=5, batch_size=64), 715_801, "Maas et al. 2011 baseline: 88.89%"),
        _preset("imdb-gru", "IMDB sentiment: Embedding(5000,120) GRU(120)",
                DataConfig("imdb", vocab_size=5000, maxlen=500),
                ModelConfig("gru", embedding_dim=120, units=120),
                TrainConfig(epochs=5, batch_size=64), 687_241, "curves only"),
        _preset("imdb-cnn-lstm-500", "IMDB sentiment, maxlen 500: Dropout, Conv1D(64,5), MaxPooling1D(4), LSTM(55)",
                DataConfig("imdb", vocab_size=5000, maxlen=500),
                ModelConfig("cnn_lstm", embedding_dim=120, units=55, dropout=0.5, conv_filters=64,
                            conv_kernel=5, pool_size=4),
                TrainConfig(epochs=5, batch_size=100), 664_920, "curves only"),
        _preset("imdb-simple-rnn", "IMDB sentiment: Embedding(10000,32) SimpleRNN(32)",
                DataConfig("imdb", vocab_size=10000, maxlen=500),
                ModelConfig("simple_rnn", embedding_dim=32, units=32),
                TrainConfig(epochs=10, batch_size=128, optimizer="rmsprop"), 322_113, "curves only"),
        _preset("mnist-mlp", "MNIST digits: Dense(512, relu) Dense(10)",
                DataConfig("mnist"),
                ModelConfig("mlp", units=512),
                TrainConfig(epochs=30, batch_size=200, patience=10), 407_050, "test acc 0.9821"),
        _preset("mnist-cnn", "MNIST digits: Conv2D(32) Conv2D(64) MaxPooling2D Dropout Dense(128) Dropout",
                DataConfig("mnist"),
                ModelConfig("cnn2d", conv_filters=64, dense_units=128, dropout=0.5),
                TrainConfig(epochs=30, batch_size=200, patience=10), 1_199_882, "test acc 0.9928"),
        _preset("spam-rnn", "SMS spam: Embedding(8921,32) SimpleRNN(32) (needs --data spam.csv)",
                DataConfig("sms-spam", vocab_size=8921, maxlen=189),
                ModelConfig("simple_rnn", embedding_dim=32, units=32),
                TrainConfig(epochs=4, batch_size=64, optimizer="rmsprop"), 287_585, "test acc 0.9816"),
        # The lesson's pipeline: Hangul only, morphemes (particles and endings split off), its stopwords.
        _preset("nsmc-lstm", "Naver movie reviews: Embedding(35000,100) LSTM(128) (needs --data)",
                DataConfig("nsmc", vocab_size=35000, maxlen=30, standardize="hangul", split="morpheme",
                           stopwords=KOREAN_STOPWORDS),
                ModelConfig("lstm", embedding_dim=100, units=128),
                TrainConfig(epochs=15, batch_size=64, patience=4), 3_617_377, "curves only"),
        _preset("series-rnn", "Toy sequence, 3 steps in, 1 out: SimpleRNN(10) Dense(1)",
                DataConfig("sequence", lookback=3, step=1, delay=1),
                ModelConfig("simple_rnn", units=10),
                TrainConfig(epochs=20, batch_size=32), 131, "-"),
        _preset("jena-gru", "Jena climate, 24 h ahead from 10 days: GRU(32) Dense(1), MAE",
                DataConfig("jena-climate", lookback=1440, step=6, delay=144),
                ModelConfig("gru", units=32),
                TrainConfig(epochs=20, batch_size=128, optimizer="rmsprop", loss="mae"), None,
                "curves only; baseline 'tomorrow equals now'"),
        _preset("text-gen", "Korean next-word generation: Embedding SimpleRNN(32) Dense(vocab)",
                DataConfig("lines-ko", vocab_size=2000, maxlen=12),
                ModelConfig("simple_rnn", embedding_dim=10, units=32),
                TrainConfig(epochs=40, batch_size=64, patience=5), None, "generates text"),
        # Offline presets: real data from PyPI packages, trainable on a CPU in minutes.
        _preset("digits-cnn", "5,000 real MNIST digits (offline): the mnist-cnn model",
                DataConfig("digits"),
                ModelConfig("cnn2d", conv_filters=64, dense_units=128, dropout=0.5),
                TrainConfig(epochs=12, batch_size=64, patience=4), 1_199_882),
        _preset("digits-mlp", "5,000 real MNIST digits (offline): the mnist-mlp model",
                DataConfig("digits"),
                ModelConfig("mlp", units=512),
                TrainConfig(epochs=20, batch_size=64, patience=4), 407_050),
        # Morphemes, not words: Korean words take endings ("날씨가", "날씨는"), so half of a new sentence's
        # words are unseen (48% OOV on the test split) against 16% of its morphemes; maxlen 30 covers ~98% of
        # the lines. `--tokenizer characters --maxlen 50` is the character model (README: preset notes).
        _preset("topics-ko-lstm", "Korean sentence -> topic (offline), by morpheme: Embedding(2000,64) LSTM(64)",
                DataConfig("topics-ko", vocab_size=2000, maxlen=30, split="morpheme", stopwords=KOREAN_STOPWORDS),
                ModelConfig("lstm", embedding_dim=64, units=64, dropout=0.5),
                TrainConfig(epochs=30, batch_size=32, patience=5)),
        _preset("topics-en-lstm", "English sentence -> topic (offline): Embedding(4000,64) LSTM(64)",
                DataConfig("topics-en", vocab_size=4000, maxlen=20),
                ModelConfig("lstm", embedding_dim=64, units=64),
                TrainConfig(epochs=30, batch_size=32, patience=5)),
        _preset("seattle-gru", "Seattle temperature 24 h ahead from the past 3 days (offline): GRU(32)",
                DataConfig("seattle-temps", lookback=72, step=1, delay=24),
                ModelConfig("gru", units=32),
                TrainConfig(epochs=10, batch_size=64, optimizer="rmsprop", loss="mae", patience=3)),
        # By character: ~1,000 lines hold ~2,500 distinct words, most seen once, so a word model only
        # memorises (validation loss rises from epoch 1); characters (space included) generalise.
        _preset("lines-ko-gen", "Korean next-character generation (offline): Embedding(1000,64) LSTM(128)",
                DataConfig("lines-ko", vocab_size=1000, maxlen=20, split="character"),
                ModelConfig("lstm", embedding_dim=64, units=128),
                TrainConfig(epochs=40, batch_size=128, patience=5)),
        # The lesson's experiment (README): the same 32 units three ways on the adding problem, whose two marked
        # values lie MEMORY_LENGTH // 2 steps apart on average; no early stopping, since an LSTM's error sits
        # on the baseline for several epochs before it falls.
        *(_preset(f"memory-{name}", f"Long memory, adding problem of {MEMORY_LENGTH} steps: {layer}(32) Dense(1)",
                  DataConfig("adding", lookback=MEMORY_LENGTH, step=1, delay=1),
                  ModelConfig(arch, units=32),
                  TrainConfig(epochs=MEMORY_EPOCHS, batch_size=32, patience=0), params)
          for name, arch, layer, params in (("simple-rnn", "simple_rnn", "SimpleRNN", 1_153),
                                            ("lstm", "lstm", "LSTM", 4_513), ("gru", "gru", "GRU", 3_489))),
    )
}
# fmt: on

PRESET_NAMES = tuple(PRESETS)


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise UnknownName(f"unknown preset {name!r}." + suggest(name, PRESET_NAMES)) from None
