"""The learned ranker and gate: packaged weights load and decide; bad weights say how to retrain."""

import json
from pathlib import Path

import pytest

from assistant import gate
from assistant.features import SPAN_FEATURES
from assistant.learned import WEIGHTS_FILE, Calibration, ModelError, load_calibration, load_model

PACKAGED = Path(__file__).resolve().parents[2] / "assistant" / WEIGHTS_FILE


def test_the_packaged_gate_answers_a_covered_question_and_refuses_an_uncovered_one() -> None:
    model = gate.load_gate().model
    covered = dict.fromkeys(gate.FEATURES, 0.0) | {
        "coverage": 1.0,
        "coverage_asked": 1.0,
        "ranker": 3.0,
        "lead": 0.5,
        "has_type": 1.0,
        "slots_log": 1.4,
        "dense": 0.88,
        "dense_best": 0.88,
    }
    uncovered = dict.fromkeys(gate.FEATURES, 0.0) | {
        "heaviest_missing": 0.9,
        "ranker": -3.0,
        "slots_log": 1.4,
        "dense": 0.75,
        "dense_best": 0.76,
    }
    assert model.probability(covered) > 0.5 > model.probability(uncovered)


def test_the_packaged_ranker_prefers_the_span_that_covers_the_question_and_holds_the_figure() -> None:
    model = load_model("ranker", SPAN_FEATURES)
    base = dict.fromkeys(SPAN_FEATURES, 0.0) | {"rank_inverse": 0.5, "length_log": 4.5}
    holds = base | {"coverage": 0.9, "coverage_asked": 0.9, "has_type": 1.0, "dense": 0.85}
    misses = base | {"coverage": 0.3, "coverage_asked": 0.1, "type_missing": 1.0, "dense": 0.75}
    assert model.logit(holds) > model.logit(misses)


def _weights(tmp_path: Path, **changes: object) -> Path:
    data = json.loads(PACKAGED.read_text())
    data["gate"].update(changes)
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda tmp: tmp / "missing.json", "fehlen"),
        (lambda tmp: (tmp / "broken.json").write_text("{nicht json") and tmp / "broken.json", "beschädigt"),
        (lambda tmp: _weights(tmp, features=["coverage"]), "passen nicht zu den Merkmalen"),
        (lambda tmp: _weights(tmp, weights=[1.0]), "beschädigt"),
        (lambda tmp: _weights(tmp, scale=[0.0] * len(gate.FEATURES)), "beschädigt"),
    ],
)
def test_bad_weights_say_how_to_retrain(tmp_path: Path, make, said: str) -> None:
    with pytest.raises(ModelError) as caught:
        load_model("gate", gate.FEATURES, make(tmp_path))
    assert said in caught.value.message and "python -m evals train" in caught.value.message


def test_a_calibration_moves_the_gates_decision_and_none_leaves_it() -> None:
    model = gate.load_gate().model
    doubtful = dict.fromkeys(gate.FEATURES, 0.0) | {"slots_log": 1.4, "dense": 0.8, "dense_best": 0.8}
    logit = model.logit(doubtful)
    plain = gate.Gate(model)
    assert plain.probability(doubtful) == pytest.approx(model.probability(doubtful))
    # a calibration that says such logits answer more often than the model believes
    lifted = gate.Gate(model, Calibration(scale=1.0, shift=1.0 - logit))
    lowered = gate.Gate(model, Calibration(scale=1.0, shift=-1.0 - logit))
    assert lifted.probability(doubtful) > 0.5 > lowered.probability(doubtful)


def test_weights_without_a_calibration_load_as_uncalibrated_and_a_broken_one_says_how_to_retrain(
    tmp_path: Path,
) -> None:
    data = json.loads(PACKAGED.read_text())
    data.pop("calibration", None)
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(data))
    assert load_calibration("gate", plain) == Calibration()
    data["calibration"] = {"gate": {"scale": -1.0, "shift": 0.0}}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    with pytest.raises(ModelError) as caught:
        load_calibration("gate", broken)
    assert "beschädigt" in caught.value.message and "python -m evals train" in caught.value.message
