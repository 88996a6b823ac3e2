"""ganzoo: a GAN model zoo for Keras 3 on TensorFlow.

```python
import ganzoo
gan = ganzoo.build("dcgan")
gan.fit(ganzoo.datasets.load("digits"), epochs=5)
images = gan.generate(64, seed=0)
```
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up chatter

from ganzoo import (callbacks, classifiers, config, data, datasets, export, images,  # noqa: E402
                    losses, metrics, models, nets, results, schema, toy)
from ganzoo.evaluation import evaluate  # noqa: E402
from ganzoo import presets  # noqa: E402
from ganzoo.presets import from_preset, list_presets  # noqa: E402
from ganzoo.config import ConfigError  # noqa: E402
from ganzoo.data import DataError  # noqa: E402
from ganzoo.errors import GanzooError, ModelError, RunError, WriteError  # noqa: E402
from ganzoo.registry import build, list_models, load, register, resolve_config  # noqa: E402
from ganzoo.runs import Run, train  # noqa: E402


def card(name):
    """The model card of a registered model, as Markdown text."""
    from ganzoo import cards

    return cards.render(name)


try:
    from importlib.metadata import version as _version

    __version__ = _version("ganzoo")
except Exception:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["build", "card", "evaluate", "from_preset", "list_presets", "presets", "metrics",
           "list_models", "load", "register",
           "resolve_config", "train", "Run", "datasets", "callbacks", "classifiers", "export",
           "losses", "models", "nets", "toy", "config", "data", "images", "results", "schema",
           "ConfigError", "DataError", "GanzooError",
           "ModelError", "RunError", "WriteError"]
