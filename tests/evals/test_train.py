"""The listwise ranker training on a small made-up set: it learns which feature marks the answer."""

import numpy as np

from evals.train import fit_listwise


def test_listwise_training_learns_the_feature_that_marks_the_answer() -> None:
    rng = np.random.default_rng(0)
    groups, marks = [], []
    for _ in range(60):  # per question 8 spans; the answer is the one whose first feature is high
        x = rng.normal(size=(8, 3))
        answer = int(rng.integers(8))
        x[answer, 0] += 2.5
        groups.append(x.tolist())
        marks.append([int(i == answer) for i in range(8)])
    model = fit_listwise(("signal", "noise_a", "noise_b"), groups, marks, steps=200)
    assert model.weights[0] > 5 * max(abs(model.weights[1]), abs(model.weights[2]))
    right = sum(
        int(np.argmax([model.logit(dict(zip(model.features, row, strict=True))) for row in g]) == m.index(1))
        for g, m in zip(groups, marks, strict=True)
    )
    assert right / len(groups) > 0.8


def test_reusing_span_models_that_are_not_there_says_so_and_writes_nothing(tmp_path, capsys) -> None:
    import datetime as dt

    from evals.train import run_train

    target = tmp_path / "learned.json"
    assert run_train(dt.date(2026, 11, 21), tmp_path, target=target, reuse_span_models=True) == 1
    said = capsys.readouterr().out
    assert "fehlen" in said and "e5-spans-without-half-0.npz" in said and "--reuse-span-models" in said
    assert not target.exists()


def test_refitting_on_unseen_questions_needs_the_span_models_list(tmp_path, capsys) -> None:
    import datetime as dt
    import json

    from evals.train import run_train

    target = tmp_path / "learned.json"
    target.write_text(json.dumps({"trained_on": {}}), "utf-8")
    assert run_train(dt.date(2026, 11, 21), tmp_path, target=target, unseen_only=True) == 1
    assert "Textstellen-Modells nicht" in capsys.readouterr().out
    assert json.loads(target.read_text("utf-8")) == {"trained_on": {}}  # left as it was
