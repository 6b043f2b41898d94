"""The learned answerability gate: packaged weights load; bad weights say how to retrain."""

import json
from pathlib import Path

import pytest

from assistant.gate import FEATURES, GateError, load_gate


def test_the_packaged_weights_load_and_decide() -> None:
    gate = load_gate()
    covered = dict.fromkeys(FEATURES, 0.0) | {"coverage": 1.0, "coverage_asked": 1.0, "rank_inverse": 1.0,
                                              "has_type": 1.0, "slots_log": 1.4}
    uncovered = dict.fromkeys(FEATURES, 0.0) | {"heaviest_missing": 0.8, "unheard": 1.0, "slots_log": 1.4}
    assert gate.probability(covered) > 0.5 > gate.probability(uncovered)


def _weights(tmp_path: Path, **changes: object) -> Path:
    data = json.loads(Path(__file__).resolve().parents[2].joinpath("assistant/data/answerability.json").read_text())
    data.update(changes)
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(("make", "said"), [
    (lambda tmp: tmp / "missing.json", "fehlen"),
    (lambda tmp: (tmp / "broken.json").write_text("{nicht json") and tmp / "broken.json", "beschädigt"),
    (lambda tmp: _weights(tmp, features=["coverage"]), "passen nicht zu den Merkmalen"),
    (lambda tmp: _weights(tmp, weights=[1.0]), "beschädigt"),
    (lambda tmp: _weights(tmp, scale=[0.0] * len(FEATURES)), "beschädigt"),
])
def test_bad_weights_say_how_to_retrain(tmp_path: Path, make, said: str) -> None:
    with pytest.raises(GateError) as caught:
        load_gate(make(tmp_path))
    assert said in caught.value.message and "python -m evals train" in caught.value.message
