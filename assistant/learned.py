"""The answerer's learned parts: logistic models over named features, stored as one data file.

Two models, both trained by `python -m evals train` on the dev split and the training documents:
- `ranker` scores every candidate span of the retrieved chunks (assistant/ranker.py);
- `gate` decides whether the best span answers the question at all (assistant/gate.py); its
  probability may be calibrated (`python -m evals calibrate`) on questions the models never saw.
The file names the features each model was trained on; one that does not match this version's
features, or that is missing or corrupt, is refused with a German message that says how to retrain.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from assistant.features import SPAN_FEATURES
from core.errors import FoerderlotseError

WEIGHTS_FILE = "data/learned.json"
RETRAIN = "Neu trainieren mit 'python -m evals train'."


class ModelError(FoerderlotseError):
    """Trained weights that are missing, corrupt or from another feature set."""


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class LogisticModel:
    """A logistic regression over standardised features."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def logit(self, values: dict[str, float]) -> float:
        terms = zip(self.weights, self.features, self.mean, self.scale, strict=True)
        return self.bias + sum(w * (values[name] - m) / s for w, name, m, s in terms)

    def contributions(self, values: dict[str, float]) -> dict[str, float]:
        """Each feature's share of the logit (weight times standardised value)."""
        terms = zip(self.weights, self.features, self.mean, self.scale, strict=True)
        return {name: w * (values[name] - m) / s for w, name, m, s in terms}

    def largest_shares(self, values: dict[str, float], most: int = 5) -> dict[str, float]:
        """The `most` features with the largest shares of the logit, largest first (for reports)."""
        shares = sorted(self.contributions(values).items(), key=lambda kv: -abs(kv[1]))[:most]
        return {name: round(share, 2) for name, share in shares}

    def probability(self, values: dict[str, float]) -> float:
        return sigmoid(self.logit(values))

    def as_dict(self) -> dict:
        return {
            "features": list(self.features),
            "weights": list(self.weights),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
        }


def load_model(name: str, features: Sequence[str], path: Path | None = None) -> LogisticModel:
    """The model `name` of the packaged weights file (or of `path`), checked against `features`."""
    where = str(path) if path else f"assistant/{WEIGHTS_FILE}"
    try:
        raw = _weights_text(path)
    except OSError as exc:
        raise ModelError(f"Die gelernten Gewichte fehlen ({where}). {RETRAIN}") from exc
    broken = ModelError(f"Die gelernten Gewichte ({where}) sind beschädigt. {RETRAIN}")
    try:
        data = json.loads(raw)[name]
        if data["features"] != list(features):
            raise ModelError(
                f"Die gelernten Gewichte '{name}' ({where}) passen nicht zu den Merkmalen dieser "
                f"Version (erwartet: {', '.join(features)}). {RETRAIN}"
            )
        model = LogisticModel(
            tuple(features),
            tuple(map(float, data["weights"])),
            float(data["bias"]),
            tuple(map(float, data["mean"])),
            tuple(map(float, data["scale"])),
        )
    except ModelError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise broken from exc
    n = len(features)
    if (
        not (len(model.weights) == len(model.mean) == len(model.scale) == n)
        or any(s <= 0 for s in model.scale)
        or not all(math.isfinite(v) for v in (*model.weights, model.bias, *model.mean))
    ):
        raise broken
    return model


def write_models(models: dict[str, LogisticModel], trained_on: dict[str, object], path: Path) -> None:
    """The models and what they learned from (a new training drops any earlier calibration)."""
    payload = {name: model.as_dict() for name, model in models.items()}
    path.write_text(json.dumps({**payload, "trained_on": trained_on}, indent=2) + "\n", "utf-8")


@dataclass(frozen=True)
class Calibration:
    """A model's logit mapped to a probability as questions it never saw judge it (Platt scaling:
    sigmoid(scale * logit + shift)), fitted by `python -m evals calibrate`; none by default."""

    scale: float = 1.0
    shift: float = 0.0

    def probability(self, logit: float) -> float:
        return sigmoid(self.scale * logit + self.shift)


def _weights_text(path: Path | None) -> str:
    return (path or resources.files("assistant").joinpath(WEIGHTS_FILE)).read_text("utf-8")


def read_weights(path: Path | None = None) -> dict:
    """The weights file as it is (for tools that add to it)."""
    return json.loads(_weights_text(path))


def write_calibration(name: str, calibration: Calibration, fitted_on: dict[str, object], path: Path) -> None:
    data = read_weights(path)
    data.setdefault("calibration", {})[name] = {
        "scale": calibration.scale,
        "shift": calibration.shift,
        "fitted_on": fitted_on,
    }
    path.write_text(json.dumps(data, indent=2) + "\n", "utf-8")


def load_calibration(name: str, path: Path | None = None) -> Calibration:
    """The calibration of model `name`, or none (identity) where the file has none for it."""
    where = str(path) if path else f"assistant/{WEIGHTS_FILE}"
    try:
        raw = read_weights(path).get("calibration", {}).get(name)
        if raw is None:
            return Calibration()
        calibration = Calibration(float(raw["scale"]), float(raw["shift"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"Die Kalibrierung '{name}' ({where}) ist beschädigt. {RETRAIN}") from exc
    if not (math.isfinite(calibration.scale) and math.isfinite(calibration.shift)) or calibration.scale <= 0:
        raise ModelError(f"Die Kalibrierung '{name}' ({where}) ist beschädigt. {RETRAIN}")
    return calibration


def load_ranker(*, required: bool = True) -> LogisticModel | None:
    """The span ranker; for training (`required=False`) none where no weights exist yet."""
    try:
        return load_model("ranker", SPAN_FEATURES)
    except ModelError:
        if required:
            raise
        return None
