"""Platt scaling of the gate on made-up decisions: it recovers how far the model's logits are off."""

import numpy as np

from evals.calibrate import fit


def test_calibration_recovers_a_gate_that_is_too_doubtful() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0.0, 2.0, size=2000)
    # the truth: a question with logit z is answered rightly with probability sigmoid(z + 1.5)
    labels = (rng.random(2000) < 1 / (1 + np.exp(-(logits + 1.5)))).astype(int)
    calibration, calibrated, plain = fit(logits.tolist(), labels.tolist())
    assert abs(calibration.scale - 1.0) < 0.2 and abs(calibration.shift - 1.5) < 0.3
    assert calibrated > plain  # answering where the truth says so is right more often
    assert calibration.probability(-1.0) > 0.5 > 1 / (1 + np.exp(1.0))
