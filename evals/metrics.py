"""Metrics without an LLM judge: retrieval, facts, citations (ALCE-style), refusals, notices."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from typing import Any

from assistant.answer import LEADS
from assistant.citations import claim_of, figures, parse_marked_text
from evals.gold import GoldItem

# The notices' wordings: a deadline or guideline ("abgelaufen", "nicht mehr in Kraft", "läuft noch",
# "noch nicht begonnen"), and an event or a start ("Der Termin ... liegt zurück" / "... steht bevor").
_TERM = r"Termin „[^“]*“ am [^„“]{0,40}?"  # an event's or a start's notice: "Der Termin „X“ am <date> ..."
NOTICE_PATTERNS = {
    "expired": re.compile(rf"abgelaufen|nicht mehr in Kraft|{_TERM} liegt zurück", re.IGNORECASE),
    "open": re.compile(r"läuft noch", re.IGNORECASE),
    "not_started": re.compile(
        rf"noch nicht begonnen|beginnt erst|noch nicht in Kraft|{_TERM} steht bevor", re.IGNORECASE
    ),
}

_LEAD = re.compile(rf"^({'|'.join(map(re.escape, LEADS.values()))}) –")
_LEAD_KEY = {text: key for key, text in LEADS.items()}
# a programme's title before a sentence's attribution, where an answer speaks of several programmes
# ("Ja – <Titel> – laut ...: "); the answerer knows the titles, the eval reads them off the sentence
_TITLE_BEFORE = re.compile(r"^[^:]{1,200}? – (?=[Ll]aut )")


def lead_of(answer: dict[str, Any]) -> str | None:
    """ "ja", "nein" or "bedingt" where the answer opens with that lead."""
    m = None if answer["refused"] else _LEAD.match(answer["answer"])
    return _LEAD_KEY[m.group(1)] if m else None


def _said(sentence: str) -> str:
    """A sentence of an answer without what names its source (see `assistant.citations.claim_of`)."""
    return claim_of(_TITLE_BEFORE.sub("", sentence, count=1))


def says_facts(item: GoldItem, answer: dict[str, Any]) -> bool:
    """Whether the answer says every gold fact, not only names it in a title ("Quartier 2030
    (Musterland) – laut ...")."""
    said = " ".join(_said(s.text) for s in parse_marked_text(answer["answer"]))
    return all(re.search(f, said, re.IGNORECASE) for f in item.facts)


def facts_ok(item: GoldItem, answer: dict[str, Any]) -> bool:
    return not answer["refused"] and says_facts(item, answer)


def right_outcome(item: GoldItem, answer: dict[str, Any]) -> bool:
    """An answerable question answered with its gold facts, or an unanswerable one refused."""
    return facts_ok(item, answer) if item.answerable else bool(answer["refused"])


def citation_pairs(answer: dict[str, Any], texts: dict[str, str]) -> tuple[int, int, int, int]:
    """(supported pairs, all pairs, supported sentences, all sentences) of one answer."""
    if answer["refused"]:
        return 0, 0, 0, 0
    by_n = {c["n"]: c for c in answer["citations"]}
    good_pairs = pairs = good_sentences = 0
    sentences = parse_marked_text(answer["answer"])
    for sentence in sentences:
        needed = figures(_said(sentence.text))  # a title's year is no claim
        supported_here = False
        for n in sentence.refs:
            pairs += 1
            cite = by_n.get(n)
            if cite is None or cite["quote"] not in texts.get(cite["doc_id"], ""):
                continue
            if needed <= figures(cite["quote"], expand=True):
                good_pairs += 1
                supported_here = True
        good_sentences += supported_here
    return good_pairs, pairs, good_sentences, len(sentences)


def _share(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[k], 2)


def answer_metrics(items: list[GoldItem], answers: dict[str, dict[str, Any]], texts: dict[str, str]) -> dict[str, Any]:
    answerable = [i for i in items if i.answerable]
    unanswerable = [i for i in items if not i.answerable]
    refused = [i for i in items if answers[i.id]["refused"]]
    good = [i for i in answerable if facts_ok(i, answers[i.id])]
    gp = p = gs = s = 0
    for item in items:
        a, b, c, d = citation_pairs(answers[item.id], texts)
        gp, p, gs, s = gp + a, p + b, gs + c, s + d
    noticed = [i for i in items if i.expect_notice]
    notice_hits = [
        i
        for i in noticed
        if NOTICE_PATTERNS[i.expect_notice].search(answers[i.id]["answer"] + " " + " ".join(answers[i.id]["notices"]))
    ]
    asked_leads = [i for i in items if i.expect_lead]
    leads = {i.id: lead_of(answers[i.id]) for i in asked_leads}
    latencies = [answers[i.id]["latency_ms"] for i in items]
    wrong_refusals = [i for i in answerable if answers[i.id]["refused"]]
    # a refusal that quotes the closest passages (grade "related"): do they hold the answer?
    shown = [i for i in wrong_refusals if i.facts and says_facts(i, answers[i.id])]
    return {
        "items": len(items),
        "fact_accuracy": _share(len(good), len(answerable)),
        "citation_precision": _share(gp, p),
        "citation_recall": _share(gs, s),
        "refusal_precision": _share(sum(not i.answerable for i in refused), len(refused)),
        "refusal_recall": _share(sum(answers[i.id]["refused"] for i in unanswerable), len(unanswerable)),
        "wrong_refusals": len(wrong_refusals),
        "wrong_refusal_rate": _share(len(wrong_refusals), len(answerable)),
        "wrong_refusals_quoting_answer": _share(len(shown), len(wrong_refusals)),
        "unanswerable_with_related": _share(
            sum(answers[i.id].get("grade") == "related" for i in unanswerable), len(unanswerable)
        ),
        "notice_rate": _share(len(notice_hits), len(noticed)),
        # yes/no questions: share answered with a right lead; leads that contradict the gold
        "lead_rate": _share(sum(leads[i.id] in i.expect_lead for i in asked_leads), len(asked_leads)),
        "wrong_leads": sum(leads[i.id] is not None and leads[i.id] not in i.expect_lead for i in asked_leads),
        "latency_p50_ms": percentile(latencies, 0.5),
        "latency_p95_ms": percentile(latencies, 0.95),
    }


def per_kind(items: list[GoldItem], answers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[GoldItem]] = defaultdict(list)
    for item in items:
        groups[item.kind].append(item)
    out: dict[str, dict[str, Any]] = {}
    for kind, group in sorted(groups.items()):
        if all(not i.answerable for i in group):
            score = _share(sum(answers[i.id]["refused"] for i in group), len(group))
            out[kind] = {"items": len(group), "metric": "refusal_recall", "score": score}
        else:
            ok = sum(facts_ok(i, answers[i.id]) for i in group if i.answerable)
            out[kind] = {
                "items": len(group),
                "metric": "fact_accuracy",
                "score": _share(ok, sum(i.answerable for i in group)),
            }
    return out


def retrieval_metrics(ranks: dict[str, list[int | None]]) -> dict[str, dict[str, float | None]]:
    """ranks[mode] = 1-based rank of the first evidence chunk per item (None = not in top 10)."""
    out: dict[str, dict[str, float | None]] = {}
    for mode, values in ranks.items():
        n = len(values)
        out[mode] = {
            "items": n,
            "hit@1": _share(sum(r == 1 for r in values if r), n),
            "hit@5": _share(sum(1 for r in values if r and r <= 5), n),
            "mrr": round(statistics.fmean([1 / r if r else 0.0 for r in values]), 4) if n else None,
        }
    return out
