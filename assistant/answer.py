"""The extractive answerer: selects evidence sentences from retrieved chunks and renders a Draft;
needs no LLM. A question travels: question.py (analysis) -> spans.py (evidence spans of the chunks)
-> features.py (candidates and their features) -> learned.py (ranker) -> gate.py (whether to
answer) -> here (selection, leads, rendering). Only `citations.enforce` decides what the user sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import chain
from pathlib import Path
from typing import Protocol

from assistant.citations import DENIAL, figures
from assistant.dates import RUNS_UNTIL
from assistant.features import ADDRESS, ELIGIBLE, Candidate, Refusal, coverage, span_features
from assistant.gate import Gate, features
from assistant.learned import LogisticModel, sigmoid
from assistant.models import Draft, DraftSentence, Source
from assistant.question import COUNT, STATUS, QuestionContext, Slot, holds_type
from assistant.spans import INSTRUCTION_LIKE, Evidence, evidence_spans, load_vectors, save_vectors, span_key
from index.chunker import Chunk
from index.dates import find_dates
from index.dense import Embedder
from index.documents import KIND_LABELS
from index.sparse import GermanAnalyzer, base_of
from index.store import Hit
from index.text import found, split_sentences

SOURCE_PREFIX = {
    "guideline": "Laut Förderrichtlinie",
    "call": "Laut Förderaufruf (Pressemitteilung, nicht die Richtlinie selbst)",
    "background": "Laut Hintergrundtext (keine Förderrichtlinie)",
}
assert set(SOURCE_PREFIX) == set(KIND_LABELS)
EVIDENCE_CACHE_CHUNKS = 20_000  # chunks whose evidence spans are kept between questions
# A compared programme's passage covers part of the question: in an uneven comparison ("Was
# bekommt ein Einzelträger in Sachsen im Vergleich zum Höchstbetrag beim Bund?") each side is
# asked about some of its words; half of what an answer about one programme needs.
COMPARED_SHARE = 0.5
_ALL = re.compile(r"\b[Aa]llen?\b")
# What a figure counts: the noun after it, past up to two adjectives ("21 soziale Innovationen" ->
# "soziale Innovationen"), or else the word right after it.
_COUNT_REACH = re.compile(r"^[\s„“\"»(]*(?:(?:[a-zäöüß][\w-]*\s+){0,2}[A-ZÄÖÜ][\w-]*|\w+)")  # not "15 % der ..."
# A sentence that opens with a back reference or names "the above" is read with the one before it.
REFERS_BACK = re.compile(
    r"^(?:(?:Mit|In|Bei|Nach|Aus|Von|Für|Zu|Unter|Auf) )?(?:Dies|Diese[rsnm]?|Hierbei|Hierfür|Dabei|Dafür|Dazu|Demnach|"
    r"Darüber hinaus|Deshalb|Daher|Darum|Deswegen|Folglich)\b"
    r"|\b(?:oben|vor)\s?genannt|\bvorstehend|\bbeide[rns]?\b",
    re.IGNORECASE,
)
CONDITION = re.compile(r"\b(?:wenn|sofern|soweit|falls)\b", re.IGNORECASE)
# A yes/no question ("Dürfen wir ...?", "Werden ... gefördert?") is answered "Ja", "Nein" or
# "Nur unter Bedingungen" before the rule, where one passage decides it (see `yes_no_lead`). A
# passage that grants one thing and excludes another ("..., ohne Zeitzuschläge"), a double
# negation and a negated question ("Gibt es ein Verbot ...?") get the rule without a lead.
LEADS = {"ja": "Ja", "nein": "Nein", "bedingt": "Nur unter Bedingungen"}
LEAD_SUPPORT = 0.8  # share of the question the best passage must cover by itself
_RESTRICTS = re.compile(
    r"\b(?:wenn|sofern|soweit|falls|nur|ausnahmsweise|vorausgesetzt|grundsätzlich|Voraussetzung\w*)\b"
    r"|Ausnahmef[aä]ll",
    re.IGNORECASE,
)
_EXCEPTS = re.compile(r"\b(?:ohne|außer|ausgenommen|abgesehen|jedoch|aber|allerdings)\b", re.IGNORECASE)


class Answerer(Protocol):
    def draft(self, question: QuestionContext, hits: list[Hit]) -> Draft: ...


class ExtractiveAnswerer:
    """Scores every sentence of the retrieved chunks against the question and quotes the best.

    Selection is greedy: the best span first (with the sentence next to it where that completes
    it), for a question about several programmes the best span of each, then spans that are
    nearly as good or that cover words of the question the answer does not cover yet.
    """

    def __init__(
        self,
        analyzer: GermanAnalyzer,
        min_support: float = 0.5,
        max_sentences: int = 3,
        texts: Callable[[str], str | None] = lambda doc_id: None,
        programme_titles: dict[str, str] | None = None,
        programmes_named: Callable[[str], list[str]] = lambda text: [],
        gate: Gate | None = None,
        ranker: LogisticModel | None = None,
        section_words: dict[str, frozenset[str]] | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.embedder = embedder  # the dense model: how close each span is to the question
        self.analyzer = analyzer
        self.gate = gate  # None: every best span answers (what training records)
        self.ranker = ranker  # None: spans rank by coverage alone (what training starts from)
        self.section_words = section_words or {}
        self.record: list[dict[str, float]] | None = None  # features of each decision, for training
        self.record_spans: list[tuple[dict[str, float], str, str]] | None = None  # ... of each span, question
        self.texts = texts
        self.programmes_named = programmes_named
        self.programme_titles = programme_titles or {}
        self._evidence_cache: dict[str, list[Evidence]] = {}
        self._document_terms: dict[tuple[str, int], frozenset[str]] = {}
        self.min_support = min_support
        self.max_sentences = max_sentences

    def quoted(self, question: QuestionContext, hits: list[Hit]) -> list[Candidate]:
        """The spans the answer quotes: the selection for the question, or for a comparison whose
        halves ask different things ("Bis wann ... in Sachsen und wer ist beim BMAS
        antragsberechtigt?") the selection for each half."""
        return self._quoted(question, hits)[0]

    def _quoted(self, question: QuestionContext, hits: list[Hit]) -> tuple[list[Candidate], Refusal | None]:
        """`quoted`, and why nothing is quoted (the first half's reason, for a comparison)."""
        if not question.halves:
            return self._select(question, self.candidates(question, hits))
        chosen: list[Candidate] = []
        first: Refusal | None = None
        for half in question.halves.values():
            picked, refusal = self._select(half, self.candidates(half, hits))
            first = first or refusal
            chosen += [c for c in picked[:2] if not any(_overlaps(c, o) for o in chosen)]
        return chosen, None if chosen else first

    def draft(self, question: QuestionContext, hits: list[Hit]) -> Draft:
        chosen, refusal = self._quoted(question, hits)
        if not chosen:
            return Draft(sentences=[], sources=[], refusal=refusal)
        comparing = len(question.programmes) > 1
        lead = None if comparing else yes_no_lead(question, chosen)
        if lead:  # the passage that decides it comes first, right after "Ja"/"Nein" (with the
            # sentence it points back to: "Diese werden ... anerkannt; ... Öffentlichkeitsarbeit.")
            first = deciding_spans(question, chosen)
            if REFERS_BACK.search(first[0].text):
                first = [c for c in chosen if c.end <= first[0].start and _adjacent(c, first[0])] + first
            chosen = [*first, *(c for c in chosen if c not in first)]
        draft = self.render(question, chosen)
        return with_lead(draft, lead) if lead else draft

    def related(self, question: QuestionContext, hits: list[Hit], most: int = 2) -> Draft:
        """Where no span answers: the best spans on what the question asks about, to be shown as
        the closest passages. A span is on it when it names a heaviest word of the question that is
        not a programme's name (all that weigh the same), or covers as much of what is asked as an
        answer needs at least (`min_support`): "Flyer zur Öffentlichkeitsarbeit" is on public
        relations, although the documents never say "Flyer"; "Was kostet ein Parkplatz?" is not
        on costs."""
        asked = [i for i, s in enumerate(question.slots) if not s.context]
        if not asked:
            return Draft(sentences=[], sources=[])
        top = max(question.slots[i].weight for i in asked)
        heaviest = [i for i in asked if question.slots[i].weight == top]  # several where they weigh the same
        chosen: list[Candidate] = []
        for c in self.candidates(question, hits):
            covered = coverage(question, [c], context=False)
            on_topic = any(c.slot_cover[i] >= 1.0 for i in heaviest) or covered >= self.min_support
            if on_topic and not any(_overlaps(c, o) for o in chosen):
                chosen.append(c)
            if len(chosen) >= most:
                break
        return self.render(question, chosen)

    def render(self, question: QuestionContext, chosen: list[Candidate]) -> Draft:
        """The chosen spans as numbered sources and answer sentences, each said with its kind of source."""
        # side by side, per programme, where the question compares or the passages come from
        # several programmes ("Wie hoch ist die Förderquote?" in an index of many): each says whose it is
        per_programme = len(question.programmes) > 1 or len({c.programme for c in chosen}) > 1
        sources = [
            Source(n=i + 1, doc_id=c.doc_id, start=c.start, end=c.end, quote=c.text, section=c.section)
            for i, c in enumerate(chosen)
        ]
        sentences: list[DraftSentence] = []
        for n, c in enumerate(chosen, start=1):
            # A span of several sentences (a list, a sentence over an address block) becomes
            # several answer sentences, each with its marker, so each is checked on its own.
            pieces = [p.text for p in split_sentences(as_sentence(c.text))]
            prefix = SOURCE_PREFIX[c.kind]
            if per_programme and c.programme in self.programme_titles:
                prefix = f"{self.programme_titles[c.programme]} – {prefix[0].lower()}{prefix[1:]}"
            pieces[0] = f"{prefix}: {pieces[0]}"
            sentences.extend(DraftSentence(text=p, refs=[n]) for p in pieces)
        return Draft(sentences=sentences, sources=sources)

    def candidates(self, question: QuestionContext, hits: list[Hit]) -> list[Candidate]:
        """Scored spans of the hits, best first; spans of programmes the question does not
        ask about are left out, unless they name one it asks about (a call of one programme on
        another it mentions: then they speak for that one, after its own documents)."""
        out = []
        for rank, hit in enumerate(hits):
            for c in self._spans(question, hit, rank):
                values = span_features(question, c, self.section_words)
                # the ranker's logit, and its logistic as the score the selection compares
                c.logit = self.ranker.logit(values) if self.ranker else values["coverage"]
                c.score = sigmoid(c.logit) if self.ranker else c.logit
                if self.record_spans is not None:
                    self.record_spans.append((values, c.text, question.text))
                out.append(c)
        return sorted(out, key=lambda c: c.score, reverse=True)

    def answerable(self, question: QuestionContext, ranked: list[Candidate]) -> tuple[list[Candidate], Refusal | None]:
        """The spans that may answer (a question for a figure needs that figure), and why the
        question is not answered, if it is not."""
        ranked, refusal = self._with_figure(question, ranked)
        if refusal is not None:
            return [], refusal
        if self.record is not None:
            self.record.append(features(question, ranked))
        if any(s.unheard for s in question.slots):
            return [], "unheard"  # "Welche Zinsen ...?" asks for things of a kind the documents never name
        if len(question.programmes) < 2 and any(  # a comparison's best span speaks of one of its sides
            s.named and not s.unknown and not ranked[0].slot_cover[i] and not self._names(ranked[0].doc_id, s)
            for i, s in enumerate(question.slots)
        ):
            # "Welche Förderquote gilt bei der KfW?": a passage of a document that never names the KfW,
            # which another document names (one of a document that names it, "beim RPS", may answer,
            # and so may one for an abbreviation no document uses, "unsere SHG": the gate decides)
            return [], "abbreviation"
        if self.gate is not None and not self.gate.answers(question, ranked):
            return [], "gate"  # the learned decision (assistant/gate.py): the best span does not answer it
        return ranked, None

    def gate_decision(self, question: QuestionContext, ranked: list[Candidate]) -> dict | None:
        """For the evaluation report: the gate's probability for the best span that may answer and
        the features with the largest shares of its logit (None without a gate or such a span)."""
        ranked, refusal = self._with_figure(question, ranked)
        if refusal is not None or self.gate is None:
            return None
        values = features(question, ranked)
        return {
            "probability": round(self.gate.probability(values), 3),
            "shares": self.gate.model.largest_shares(values),
        }

    def _with_figure(
        self, question: QuestionContext, ranked: list[Candidate]
    ) -> tuple[list[Candidate], Refusal | None]:
        """The spans that may answer: a question for a figure needs a span with that figure."""
        if question.figure_types:
            # a span that names the asked thing itself may state it as a rule, not as a figure
            # ("Welches Datum zählt?" - "Es gilt das Datum des schriftlichen Posteingangs.")
            asked = [i for i, s in enumerate(question.slots) if s.typed]
            typed = [c for c in ranked if c.has_type or any(c.slot_cover[i] >= 1.0 for i in asked)]
            if question.figure_types == {"date"} and not (typed and coverage(question, typed[:1]) >= self.min_support):
                # German "wann" asks for a time or for a condition ("Wann gibt es keine
                # Vollfinanzierung?" - "..., wenn ..."): without a dated answer, a condition answers.
                typed = [c for c in ranked if c.has_type or found(CONDITION, c.text)]
            if ranked and not typed:
                return [], "figure_missing"
            ranked = typed
        if not ranked:
            return [], "no_evidence"
        return ranked, None

    def select(self, question: QuestionContext, ranked: list[Candidate]) -> list[Candidate]:
        """The answer's spans, or [] when the evidence does not answer the question."""
        return self._select(question, ranked)[0]

    def _select(self, question: QuestionContext, ranked: list[Candidate]) -> tuple[list[Candidate], Refusal | None]:
        ranked, refusal = self.answerable(question, ranked)
        if refusal is not None:
            return [], refusal
        # A sentence that announces a list ("Aus dem Zuschuss könnt ihr bezahlen:") says nothing
        # without it: it is quoted with its list.
        best = ranked[0]
        if "most" in question.types:
            best = _first_by_figure(best, ranked)
        if best.text.rstrip().endswith(":") and not best.is_list:
            best = next((c for c in ranked if c.is_list and c.doc_id == best.doc_id and c.start == best.start), best)
        chosen = [best]
        # The sentence right before or after the best one, where it adds to what is covered:
        # rules often take two sentences ("... auf Ausgabenbasis oder auf Kostenbasis erfolgen.
        # Eine Vermischung beider Formen ist nicht möglich."). A best sentence that points back
        # ("Dies bedeutet, dass ... der oben Genannten ...") needs the one before it in any case.
        refers_back = bool(REFERS_BACK.search(chosen[0].text))
        # "Wer darf ... prüfen?" may have several answers in a row: "... sind die
        # Bewilligungsbehörde und das BMAS berechtigt, ... zu prüfen. Der Bundesrechnungshof ist
        # ... zur Prüfung berechtigt." The next sentence goes on if it says the same of another.
        several = bool({"who", "list"} & question.types)
        neighbours = [c for c in ranked[1:] if _adjacent(c, chosen[0]) and not c.is_list]
        # (what it adds must be asked: a neighbour that only names the programme adds nothing)
        alone = coverage(question, chosen[:1], context=False)
        joined = next(
            (
                c
                for c in neighbours
                if coverage(question, [chosen[0], c], context=False) > alone
                or (refers_back and c.end <= chosen[0].start)
                # the next sentence that points back to it goes on with it ("... entweder auf
                # Ausgabenbasis oder auf Kostenbasis erfolgen. Eine Vermischung beider Formen ...")
                or (c.start >= chosen[0].end and REFERS_BACK.search(c.text) is not None)
            ),
            None,
        )
        if joined is None and several:
            joined = next((c for c in neighbours if c.start >= chosen[0].end and _continues(chosen[0], c)), None)
        if joined is not None:
            chosen = sorted([chosen[0], joined], key=lambda c: c.start)  # in reading order
        comparing = len(question.programmes) > 1
        if comparing:  # each programme the question compares gets its best passage first, where that
            # answers its part of the question (not the validity of one for the running time of the other)
            for programme in question.programmes:
                if programme in {c.subject for c in chosen}:
                    continue
                best = next(
                    (c for c in ranked if c.subject == programme and not any(_overlaps(c, o) for o in chosen)), None
                )
                if best is not None and coverage(question, [best]) >= COMPARED_SHARE * self.min_support:
                    chosen.append(best)
        for cand in ranked[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if any(_overlaps(cand, c) for c in chosen):
                continue
            gain = coverage(question, [*chosen, cand]) - coverage(question, chosen)
            # nearly as good as the best, or good and adding words of the question (scores are
            # the ranker's beliefs: a second or third passage often holds the fact the best lacks)
            if cand.score >= 0.8 * ranked[0].score or (gain >= 0.15 and cand.score >= 0.5 * ranked[0].score):
                chosen.append(cand)
        return chosen, None

    # -- scoring ------------------------------------------------------------------------------
    def _spans(self, question: QuestionContext, hit: Hit, rank: int) -> list[Candidate]:
        chunk = hit.chunk
        out: list[Candidate] = []
        asked = self.embedder.embed_query([question.text])[0] if self.embedder is not None else None
        foreign = bool(question.programmes) and chunk.programme not in question.programmes
        for span, terms, context_terms, vector in self._evidence(chunk):
            about = None
            if foreign:  # another programme's passage speaks for one asked about only where it names it
                about = next((p for p in self.programmes_named(span.text) if p in question.programmes), None)
                if about is None:
                    continue
            has_type = holds_type(question.figure_types - {"count"}, span.text) or (
                "count" in question.figure_types and self._counts(span.text, question.counted)
            )
            answers = has_type or (
                not question.figure_types
                and (
                    ("who" in question.types and found(ELIGIBLE, span.text))
                    or ("where" in question.types and found(ADDRESS, span.text))
                )
            )
            runs = found(RUNS_UNTIL, span.text)
            cover = tuple(
                1.0
                if chunk.programme in s.names or chunk.doc_id in s.names
                else max(s.covered(terms, answers, runs), 0.5 * s.covered(context_terms))
                for s in question.slots
            )
            out.append(
                Candidate(
                    chunk.doc_id,
                    chunk.kind,
                    chunk.programme,
                    span.start,
                    span.end,
                    span.text,
                    chunk.section,
                    rank,
                    cover,
                    has_type,
                    span.is_list,
                    dense=float(vector @ asked) if asked is not None and vector is not None else 0.0,
                    about=about,
                )
            )
        return out

    def warm(self, chunks: Iterable[Chunk], vectors_file: Path | None = None) -> None:
        """Work out the evidence of every chunk now (its spans' vectors among it), not during
        the first questions that reach them. `vectors_file` keeps the spans' vectors between
        processes (keyed by the model and a hash of the text), so only new spans are embedded."""
        pending = [c for c in chunks if c.id not in self._evidence_cache]
        for chunk in pending:
            self._evidence(chunk, embed=False)
        if self.embedder is None:
            return
        entries = [(c.id, i) for c in pending for i in range(len(self._evidence_cache[c.id]))]
        keys = [span_key(self.embedder.name, self._evidence_cache[cid][i][0].text) for cid, i in entries]
        known = load_vectors(vectors_file)
        missing = sorted({k for k in keys if k not in known})
        if missing:
            texts = {k: self._evidence_cache[cid][i][0].text for k, (cid, i) in zip(keys, entries, strict=True)}
            known.update(zip(missing, self.embedder.embed([texts[k] for k in missing]), strict=True))
            save_vectors(vectors_file, known)
        for key, (cid, i) in zip(keys, entries, strict=True):
            self._evidence_cache[cid][i] = (*self._evidence_cache[cid][i][:3], known[key])

    def _counts(self, text: str, counted: frozenset[str]) -> bool:
        """Whether a span gives a count, of the counted thing where the question names it
        ("mit dem vierten Förderaufruf" for "Wie viele Förderaufrufe ..."); "alle" counts the
        thing the question names ("alle Regionen Sachsens" for "Wie viele Regionen ..."); a number
        of a date counts nothing."""
        dated = [(d.start, d.end) for d in find_dates(text)]  # "bis zum 7. Mai 2026 Projektvorschläge": no count
        for m in COUNT.finditer(text) if not counted else chain(COUNT.finditer(text), _ALL.finditer(text)):
            if any(a <= m.start() < b for a, b in dated):
                continue
            if not counted:
                return True
            after = _COUNT_REACH.match(text[m.end() :])
            named = " ".join(filter(None, (m.groupdict().get("rest"), after.group() if after else None)))
            if any(t.startswith(c) for t in self.analyzer.terms(named) for c in counted):
                return True
        return False

    def _evidence(self, chunk: Chunk, embed: bool = True) -> list[Evidence]:
        """A chunk's evidence spans with their terms, context terms and dense vectors; the same
        for every question, so worked out once per chunk (instruction-like text is dropped here)."""
        if (cached := self._evidence_cache.get(chunk.id)) is not None:
            return cached
        header_terms = frozenset(self.analyzer.terms(chunk.header))
        spans = [s for s in evidence_spans(chunk, self.texts(chunk.doc_id)) if not INSTRUCTION_LIKE.search(s.text)]
        vectors = self.embedder.embed([s.text for s in spans]) if embed and self.embedder and spans else None
        prepared: list[Evidence] = [
            (
                span,
                self._terms(f"{span.text} {span.implied}"),
                header_terms | frozenset(self.analyzer.terms(span.frame)),
                None if vectors is None else vectors[i],
            )
            for i, span in enumerate(spans)
        ]
        if len(self._evidence_cache) >= EVIDENCE_CACHE_CHUNKS:
            self._evidence_cache.clear()
        self._evidence_cache[chunk.id] = prepared
        return prepared

    def _names(self, doc_id: str, slot: Slot) -> bool:
        """Whether the document uses the question's word (its abbreviation) anywhere."""
        text = self.texts(doc_id) or ""
        key = (doc_id, hash(text))  # a document changed under the same id is read anew
        if key not in self._document_terms:
            self._document_terms[key] = frozenset(self.analyzer.terms(text))
        return slot.stem in self._document_terms[key]

    def _terms(self, text: str) -> frozenset[str]:
        """A span's terms, with its separable verbs joined ("wählt ... aus" also as "auswähl") and
        its derived words also as their base ("Prüfung" also as "prüf", "restlich" as "rest")."""
        terms = self.analyzer.terms(text)
        joined = [t for _, word in self.analyzer.separable_verbs(text) for t in self.analyzer.terms(word)]
        return frozenset(terms) | frozenset(joined) | frozenset(base_of(t) for t in terms)


def with_lead(draft: Draft, lead: str) -> Draft:
    """The draft with "Ja"/"Nein"/"Nur unter Bedingungen" before its first sentence, which names
    its source ("Laut Förderrichtlinie: ..." -> "Nein – laut Förderrichtlinie: ..."; a programme's
    title before it keeps its capital)."""
    if not draft.sentences:
        return draft
    first = draft.sentences[0]
    opening = first.text[0].lower() if first.text.startswith("Laut ") else first.text[0]
    text = f"{LEADS[lead]} – {opening}{first.text[1:]}"
    return draft.model_copy(update={"sentences": [first.model_copy(update={"text": text}), *draft.sentences[1:]]})


def promoted(draft: Draft, first: Callable[[Source], bool]) -> Draft:
    """The draft with the sentences of the sources that `first` picks moved to the front, the
    sources numbered anew in that order."""
    order = sorted(draft.sources, key=lambda src: not first(src))  # stable: otherwise as before
    number = {src.n: i for i, src in enumerate(order, start=1)}
    sentences = sorted(draft.sentences, key=lambda st: min(number[r] for r in st.refs))
    return Draft(
        sentences=[st.model_copy(update={"refs": [number[r] for r in st.refs]}) for st in sentences],
        sources=[src.model_copy(update={"n": number[src.n]}) for src in order],
    )


def deciding_spans(question: QuestionContext, chosen: list[Candidate]) -> list[Candidate]:
    """The best span with a neighbour that covers more of the question ("... entweder auf
    Ausgabenbasis oder auf Kostenbasis ... Eine Vermischung beider Formen ist nicht möglich."),
    in reading order."""
    best = max(chosen, key=lambda c: c.score)
    adds = [
        c
        for c in chosen
        if c is not best
        and _adjacent(c, best)
        and any(x > y for x, y in zip(c.slot_cover, best.slot_cover, strict=True))
    ]
    return sorted([best, *adds], key=lambda c: c.start)


def yes_no_lead(question: QuestionContext, chosen: list[Candidate]) -> str | None:
    """ "ja", "nein" or "bedingt" for a yes/no question whose best passage decides it, else None.

    It decides where it covers the question nearly in full, names its weightiest words itself,
    holds every figure the question states, and (with the neighbour that completes it) denies,
    restricts or grants without mixing these."""
    if (
        not chosen
        or "yesno" not in question.types
        or question.figure_types
        or any(s.side for s in question.slots)
        or DENIAL.search(question.text)
        or STATUS.search(question.text)
    ):
        return None
    best = max(chosen, key=lambda c: c.score)
    if coverage(question, [best]) < LEAD_SUPPORT:  # one passage must be about all of it
        return None
    # ... and name what the question is most about itself, not a relative of it from the lexicon
    # ("Trägerverbünde" for "Einzelträger"): the words that weigh nearly the most
    top = max((s.weight for s in question.slots), default=0.0)
    if any(cover < 1.0 for s, cover in zip(question.slots, best.slot_cover, strict=True) if s.weight >= 0.75 * top):
        return None
    deciding = deciding_spans(question, chosen)  # its neighbour may say how ("... ist nicht möglich")
    text = " ".join(c.text for c in deciding)
    if not figures(question.text) <= figures(best.text, expand=True):
        # "Bekommt ein Einzelträger 400.000 Euro?" is not decided by "... bis zu 300.000 Euro",
        # nor by the next sentence's "Für Trägerverbünde sind bis zu 400.000 Euro ... möglich"
        return None
    denials = len(DENIAL.findall(text))
    restricts, excepts = _qualifies(_RESTRICTS, text, question.text), _qualifies(_EXCEPTS, text, question.text)
    if denials > 1 or excepts or (denials and restricts):
        return None
    return "nein" if denials else "bedingt" if restricts else "ja"


def _qualifies(words: re.Pattern[str], text: str, question: str) -> bool:
    """Whether the passage has one of `words` that the question does not use itself: a word the
    question uses is what it asks about, not a condition on the answer ("Ist KI-Nutzung eine
    Voraussetzung?" - "Voraussetzung für eine Förderung ist ... KI-Technologienutzung.")."""
    asked = question.lower()
    return any(not re.search(rf"\b{re.escape(m.group(0).lower())}\b", asked) for m in words.finditer(text))


def as_sentence(text: str) -> str:
    """One line of prose that ends like a sentence (list lines and headings may not)."""
    flat = " ".join(text.split()).lstrip("•-–*· ")
    return flat if flat.endswith((".", "!", "?", "…")) else flat.rstrip(":;,") + "."


def _continues(first: Candidate, then: Candidate) -> bool:
    """Whether `then` has a word of the question that `first` has, too (both in full)."""
    return any(a == b == 1.0 for a, b in zip(first.slot_cover, then.slot_cover, strict=True))


def _adjacent(a: Candidate, b: Candidate) -> bool:
    """Neighbouring sentences of one paragraph (only spaces between them)."""
    return a.doc_id == b.doc_id and (0 <= b.start - a.end <= 2 or 0 <= a.start - b.end <= 2)


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end


_ROW_FIGURE = re.compile(r"(\d+(?:,\d+)?)\s*(%|Prozent|Punkte)")


def _first_by_figure(best: Candidate, ranked: list[Candidate]) -> Candidate:
    """ "Welches Kriterium hat das größte Gewicht?": of the rows of the best span's table (spans of
    its section with one share or number of points each, at least three of the same kind), the one
    with the largest figure; else the best span."""
    rows: dict[str, list[tuple[float, Candidate]]] = {}
    for c in ranked:
        found = _ROW_FIGURE.findall(c.text)
        if c.doc_id == best.doc_id and c.section == best.section and not c.is_list and len(found) == 1:
            number, unit = found[0]
            rows.setdefault("%" if unit == "Prozent" else unit, []).append((float(number.replace(",", ".")), c))
    table = max(rows.values(), key=len, default=[])
    return max(table, key=lambda row: row[0])[1] if len(table) >= 3 else best
