"""The answering pipeline: validate -> retrieve -> draft -> enforce -> notices -> Answer."""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import islice

from assistant.answer import ExtractiveAnswerer, promoted, with_lead
from assistant.citations import Enforced, StreamingEnforcer, citation_for, enforce
from assistant.dates import asked_year, days_phrase, period_end
from assistant.facts import (
    deadline_overview,
    deadline_status,
    period_lead,
    publication,
    states_its_dates,
    status_lead,
)
from assistant.features import Candidate, span_features
from assistant.gate import load_gate
from assistant.knowledge import derive_programme_names
from assistant.learned import load_ranker
from assistant.lexicon import compares, load_lexicon
from assistant.llm import LLMAnswerer, LLMUnavailable, make_backend
from assistant.models import Answer, AnswerEvent, Citation, Draft, DraftSentence, Grade, Retrieved, Source, Turn
from assistant.question import QuestionContext, analyse_question, parallel_question, unframed
from assistant.retrieval import Query, Retriever
from assistant.spelling import Umlauts
from core.errors import IndexMismatch, InvalidInput
from core.settings import Settings
from index.build import manifest_for, sparse_encoder_for
from index.dates import german_date
from index.dense import load_embedder
from index.documents import Deadline, Document, DocumentMeta
from index.generations import Generations
from index.store import Hit, Mode, Store

LLM_FALLBACK = "Angezeigt wird die wörtliche Antwort aus den Dokumenten."
LLM_UNSUPPORTED = (
    "Die Antwort des Sprachmodells ließ sich nicht mit den Dokumenten belegen; "
    "angezeigt wird die wörtliche Antwort aus den Dokumenten."
)
REFUSAL = (
    "Dazu enthalten die hinterlegten Förderdokumente keine Angaben. "
    "Bitte wenden Sie sich an die zuständige Förderstelle."
)
RELATED = "Eine direkte Antwort finde ich in den Dokumenten nicht. Am nächsten kommen diese Stellen:"
SEVERAL_PROGRAMMES = (
    "Ihre Frage kann ich keinem einzelnen Förderprogramm zuordnen; die Stellen stammen aus mehreren Programmen: "
    "{titles}. Nennen Sie das Programm in der Frage oder wählen Sie es aus, dann antworte ich nur aus seinen "
    "Dokumenten."
)
# A conversation that names no programme is about the one the last question's best passages in the
# keyword search are all of, if they are all of one (the top one alone: training split +12 -8; three: +8 -0)
AGREEING_PASSAGES = 3


# "beim Programm XY", "die Förderrichtlinie „Quartier 2030“": a name after the word for a programme
_NAMED_PROGRAMME = re.compile(
    r"\b(?:[Ff]örder)?(?:[Pp]rogramm|[Rr]ichtlinie|[Aa]ufruf)s?\s+[„\"»]?(?P<name>[A-ZÄÖÜ0-9][\w-]*(?:\s+[A-ZÄÖÜ0-9][\w-]*)?)"
)


@dataclass
class _Turn:
    """A validated question with what retrieval found for it."""

    text: str  # as analysed: umlauts typed as "ae", "oe", "ue" read back (assistant/spelling.py)
    today: dt.date
    context: QuestionContext
    hits: list[Hit]
    started: float
    only_type: bool = False  # a follow-up that names nothing but what it asks for ("Und bis wann?")
    elsewhere: tuple[str, ...] = ()  # Länder it names that no document is about (and no programme)
    grade: Grade = "answered"  # "related": only the closest passages are shown
    refusal: str | None = None  # why there is no direct answer (Answer.refusal_reason)
    typed: str = ""  # as the user typed it


def _marked(sentence: DraftSentence) -> str:
    return f"{sentence.text} " + "".join(f"[{n}]" for n in sentence.refs)


def clean_question(question: object, max_chars: int) -> str:
    """Validate a user question; raises InvalidInput with a German message."""
    if not isinstance(question, str):
        raise InvalidInput("Die Frage muss ein Text sein.")
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in question)
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise InvalidInput("Bitte geben Sie eine Frage ein (die Frage ist leer).")
    if len(cleaned) > max_chars:
        raise InvalidInput(
            f"Die Frage ist zu lang ({len(cleaned)} Zeichen, höchstens {max_chars}). Bitte kürzer fassen."
        )
    return cleaned


class Assistant:
    """Everything needed to answer: store, encoders, lexicon; built once per process."""

    def __init__(self, settings: Settings, store: Store | None = None, *, open_gate: bool = False) -> None:
        """`open_gate`: every best span answers, without the trained decision (for training it)."""
        self.settings = settings
        if store is None:
            self.generation, store = Generations(settings).open_current()
        else:
            self.generation = ""
        self.store = store
        manifest = self.store.read_manifest()
        self.embedder = load_embedder(settings.dense_model)
        self.embedder.embed(["Aufwärmen"])  # lazy weights load now, not in the first answer
        self.sparse = sparse_encoder_for(settings)
        expected = manifest_for(settings, self.embedder, self.sparse)
        if differences := manifest.differences(expected):
            raise IndexMismatch(
                "Der Index wurde mit anderen Einstellungen gebaut "
                f"(abweichend: {', '.join(differences)}). "
                "Bitte neu aufbauen: 'foerderlotse index build --rebuild'."
            )
        self.manifest = manifest
        self.stats = self.store.term_stats()
        self.documents: dict[str, Document] = {d.id: d for d in self.store.documents()}
        general = load_lexicon()
        self.lexicon = general.with_programmes(
            derive_programme_names(self.documents.values(), general.regions, general.levels)
        )
        self.programmes = sorted({d.meta.programme for d in self.documents.values() if d.meta.programme})
        # the Länder (or "DE") each programme's documents are of, and all of them together
        self._programme_regions: dict[str, set[str]] = {}
        for d in self.documents.values():
            self._programme_regions.setdefault(d.meta.programme or "", set()).update(d.meta.regions or [d.meta.region])
        self.regions = set().union(*self._programme_regions.values())
        self._federal_programmes = {d.meta.programme for d in self.documents.values() if d.meta.region == "DE"}
        self.umlauts = Umlauts.from_texts(d.text for d in self.documents.values())
        self.retriever = Retriever(self.store, self.embedder, self.sparse, self.lexicon, settings)
        self.answerer = ExtractiveAnswerer(
            self.sparse.analyzer,
            settings.min_support,
            settings.answer_max_sentences,
            texts=lambda doc_id: doc.text if (doc := self.documents.get(doc_id)) else None,
            programme_titles={
                d.meta.programme: d.meta.programme_title
                for d in self.documents.values()
                if d.meta.programme and d.meta.programme_title
            },
            programmes_named=self.lexicon.programmes_named,
            gate=None if open_gate else load_gate(),
            ranker=load_ranker(required=not open_gate),
            section_words=self.lexicon.sections,
            embedder=load_embedder(settings.span_model),
        )
        self.answerer.warm(
            islice(self.store.iter_chunks(), settings.warm_chunks), settings.store_path.parent / "span-vectors.npz"
        )
        self.llm: LLMAnswerer | None = None
        if settings.answerer != "extractive":
            self.llm = LLMAnswerer(make_backend(settings), self.answerer, self.documents, settings.llm_max_sources)

    def close(self) -> None:
        self.store.close()

    def check_programme(self, programme: str | None) -> None:
        """A programme id from a user must be one of the corpus; raises InvalidInput."""
        if programme is not None and programme not in self.programmes:
            raise InvalidInput(f"Unbekanntes Programm '{programme}'. Bekannt sind: {', '.join(self.programmes)}.")

    def _issued_by(self, question: str) -> list[str]:
        """ "Ist Crowdfunding laut SozialBank eine Option?": a source that belongs to no programme
        is named by its issuer; the question is about its documents only."""
        return [
            doc_id
            for doc_id, doc in self.documents.items()
            if doc.meta.programme is None and self.lexicon.mentions(question, doc.meta.issuer)
        ]

    def query_for(self, question: str, programme: str | None, history: list[Turn] | None) -> Query:
        named, issued = self.lexicon.programmes_in(question), self._issued_by(question)
        if not (named or issued) and history:
            # a follow-up that names neither goes on with the programme or the issuer the last
            # question that named one was about ("Und welche Förderstellen nennt sie?")
            for turn in reversed(history):
                if turn.role == "user":
                    named, issued = self.lexicon.programmes_in(turn.content), self._issued_by(turn.content)
                    if named or issued:
                        break
            last = next((t.content for t in reversed(history) if t.role == "user"), None)
            if not (named or issued or programme) and last:
                # ... or, where no question named one, with the programme the last one was about: the one
                # its best passages in the keyword search are all of ("Wie viel gibt es für ein
                # Frauenhaus?" - "Und für eine Beratungsstelle?")
                hits = self.retriever.search(self.query_for(last, None, None), mode="sparse", limit=AGREEING_PASSAGES)
                about = {h.chunk.programme for h in hits}
                named = [about.pop()] if len(about) == 1 and None not in about else []
        regions = self.lexicon.regions_in(question)
        named = [*named, *self._compared_by_land(question, named, regions)]
        filters: list[tuple[str, str | list[str]]] = [("programme", programme)] if programme else []
        if issued and not named and not programme:
            filters.append(("doc_id", issued))
        if regions:
            # "in Niedersachsen" means that Land's programmes where it has some and the question names
            # no programme and has no word that may point at a federal one ("beim Bund", "BMG"); else
            # federal programmes count too
            own_only = (
                not (named or issued or programme)
                and set(regions) <= self.regions
                and not set(self.lexicon.programme_candidates(question)) & self._federal_programmes
            )
            wanted = list(regions) if own_only else [*regions, "DE"]
            if len(named) > 1:
                # a comparison keeps the documents of each programme it names, whichever Land they are
                # of ("bei der Gemeindeschwester plus in RLP oder beim Thüringer Programm"); a question
                # about one programme that names another Land is about that Land's (its programme's
                # name was a word another programme shares: "Neustart" of the ESF Plus in Thüringen)
                wanted += sorted(self._regions_of(named))
            filters.append(("region", list(dict.fromkeys(wanted))))
        clauses = tuple(self.lexicon.clauses(question).items()) if len(named) == 2 else ()
        return Query(text=question, programmes=tuple(named), filters=tuple(filters), clauses=clauses)

    def _compared_by_land(self, question: str, named: list[str], regions: list[str]) -> list[str]:
        """ "Förderquote bei der Gemeindeschwester plus in RLP oder beim Thüringer Stadtteilmütter-
        Programm?": a comparison that names one programme, and the other by a Land of its own, compares
        it with the programme of that Land that the question's words find first."""
        if len(named) != 1 or not compares(question):
            return []
        theirs = self._regions_of(named)
        other = [r for r in regions if r != "DE" and r not in theirs and r in self.regions]
        if not other:
            return []
        hits = self.retriever.search(Query(text=question, filters=(("region", other),)), mode="sparse")
        return [h.chunk.programme for h in hits if h.chunk.programme and h.chunk.programme not in named][:1]

    def _regions_of(self, programmes: list[str]) -> set[str]:
        """The Länder (or "DE") the documents of these programmes are of."""
        return set().union(*(self._programme_regions.get(p, set()) for p in programmes))

    def ask(
        self,
        question: object,
        *,
        programme: str | None = None,
        today: dt.date | None = None,
        history: list[Turn] | None = None,
        mode: Mode = "hybrid",
    ) -> Answer:
        turn = self._prepare(question, programme, today, history, mode)
        enforced, notices = self._extractive(turn)
        if self.llm is not None and not enforced.refused and turn.grade == "answered":
            try:
                written = enforce(
                    self.llm.draft(turn.context, turn.hits), self.documents.get, self.settings.min_sentence_support
                )
            except LLMUnavailable as exc:
                notices.append(f"{exc.message} {LLM_FALLBACK}")
            else:
                enforced, more = self._prefer_llm(enforced, written)
                notices += more
        return self._answer(turn, enforced, notices)

    def stream(
        self,
        question: object,
        *,
        programme: str | None = None,
        today: dt.date | None = None,
        history: list[Turn] | None = None,
    ) -> Iterator[AnswerEvent]:
        """The answer sentence by sentence as it is written, each one checked before it is
        shown; the last event carries the whole answer. Bad input raises before the first event."""
        turn = self._prepare(question, programme, today, history, "hybrid")
        enforced, notices = self._extractive(turn)
        if self.llm is not None and not enforced.refused and turn.grade == "answered":
            try:
                sources, pieces = self.llm.stream(turn.context, turn.hits)
                gate = StreamingEnforcer(sources, self.documents.get, self.settings.min_sentence_support)
                for piece in pieces:
                    for sentence in gate.feed(piece):
                        yield AnswerEvent(type="sentence", text=_marked(sentence))
                for sentence in gate.finish():
                    yield AnswerEvent(type="sentence", text=_marked(sentence))
                written = gate.result()
            except LLMUnavailable as exc:
                notices.append(f"{exc.message} {LLM_FALLBACK}")
                written = None
            if written is not None:
                enforced, more = self._prefer_llm(enforced, written)
                notices += more
            if enforced is not written:  # the extractive answer replaces what was streamed
                yield AnswerEvent(type="reset")
                yield from (AnswerEvent(type="sentence", text=_marked(s)) for s in enforced.sentences)
        else:
            if turn.grade == "related":
                yield AnswerEvent(type="sentence", text=RELATED)
            yield from (AnswerEvent(type="sentence", text=_marked(s)) for s in enforced.sentences)
        yield AnswerEvent(type="answer", answer=self._answer(turn, enforced, notices))

    # -- stages ---------------------------------------------------------------------------------
    def _prepare(
        self,
        question: object,
        programme: str | None,
        today: dt.date | None,
        history: list[Turn] | None,
        mode: Mode,
    ) -> _Turn:
        started = time.perf_counter()
        typed = clean_question(question, self.settings.max_question_chars)
        self.check_programme(programme)
        text = self._read(typed)
        if history:  # earlier questions are read as this one is
            history = [Turn(role=t.role, content=self._read(t.content)) for t in history]
            last = next((t.content for t in reversed(history) if t.role == "user"), "")
            if (parallel := parallel_question(text, last)) and not self.lexicon.programmes_in(text):
                text = parallel  # "Und für Streetwork?": the last question, asked of Streetwork
        query = self.query_for(text, programme, history)
        issued = dict(query.filters).get("doc_id", [])  # "laut SozialBank": its name is context, like a programme's
        sources: dict[str, frozenset[str]] = {}
        for doc_id in issued:
            for token, _ in self.sparse.analyzer.cased_tokens(self.documents[doc_id].meta.issuer):
                sources[token] = sources.get(token, frozenset()) | {doc_id}
        elsewhere = (
            ()
            if query.programmes or programme
            else tuple(code for code in self.lexicon.regions_in(text) if code not in self.regions)
        )
        places = frozenset(
            token
            for token, _ in self.sparse.analyzer.cased_tokens(text)
            if set(self.lexicon.regions_in(token)) & set(elsewhere)
        )
        context = analyse_question(
            text,
            self.sparse.analyzer,
            self.stats,
            self.lexicon,
            programmes=query.programmes,
            sources=sources,
            places=places,
        )
        if query.clauses:  # each programme of the comparison answers its own half of the question
            context.halves = {
                p: analyse_question(half, self.sparse.analyzer, self.stats, self.lexicon, programmes=(p,)).naming_only()
                for p, half in query.clauses
            }
        earlier = next((t.content for t in reversed(history or []) if t.role == "user"), None)
        only_type = continued = False
        if earlier and context.elliptical:  # "Und bis wann?": about what the last question asked
            before = analyse_question(earlier, self.sparse.analyzer, self.stats, self.lexicon)
            if not context.changes_subject(before):
                only_type = all(s.context for s in context.slots)
                context, continued = context.continuing(before), True
                query = replace(query, text=f"{text} {earlier}")
        if not continued:
            context = context.naming_only()
        # a word the documents never use searches for its synonyms that they do use ("Pressearbeit":
        # "Öffentlichkeitsarbeit"), as it is covered by them
        unknown = (s.alternatives for s in context.slots if s.stem not in self.stats.df)
        query = replace(query, also=tuple(sorted(frozenset().union(*unknown))))
        self._encode_ahead(query, context, mode)
        hits = self.retriever.search(query, mode=mode)
        today = today or self.settings.reference_date()
        return _Turn(text, today, context, hits, started, only_type, elsewhere, typed=typed)

    def _read(self, typed: str) -> str:
        """A question as the answerer reads it: its umlauts restored ("foerderquote"), without a polite
        frame ("Können Sie mir sagen, ..."); the same for the question and the conversation before it."""
        return unframed(self.umlauts.restore(typed))

    def _encode_ahead(self, query: Query, context: QuestionContext, mode: Mode) -> None:
        """Embed every text retrieval and the answerer will embed in one batch each (a comparison's
        halves with the whole question: one pass instead of three); they remember them."""
        if mode != "sparse":
            self.embedder.embed_query([query.text, *(half for _, half in query.clauses)])
        if self.answerer.embedder is not None:
            self.answerer.embedder.embed_query([context.text, *(h.text for h in context.halves.values())])

    def _extractive(self, turn: _Turn) -> tuple[Enforced, list[str]]:
        notices: list[str] = []
        if "deadlines" in turn.context.types:  # "Welche Fristen laufen noch?"
            draft, notices = deadline_overview(self.documents, turn.context.programmes, turn.today)
        elif {"published", "date"} <= turn.context.types and turn.context.programmes:
            # "Wann wurde die Richtlinie veröffentlicht?": the date the document gives for itself
            draft = publication(self.documents, turn.context.programmes)
        else:
            draft = self.answerer.draft(turn.context, turn.hits)
            if not draft.sentences:
                turn.refusal = draft.refusal
                draft, notices = self._from_metadata(turn)
            draft = self._status_lead(turn, draft)
        if turn.elsewhere:
            draft, notices = self._in_region(turn, draft, notices)
        if unknown := self._unknown_programme(turn):  # another programme's passage is no answer
            draft, notices = Draft(sentences=[], sources=[]), [*notices, unknown]
        if turn.elsewhere or unknown:
            turn.refusal = "region" if turn.elsewhere else "programme"
        enforced = enforce(draft, self.documents.get, self.settings.min_sentence_support)
        if enforced.refused and not turn.elsewhere and not notices:
            # no direct answer: the passages on what is asked, said to be no more than that
            closest = enforce(
                self.answerer.related(turn.context, turn.hits), self.documents.get, self.settings.min_sentence_support
            )
            if not closest.refused:
                turn.grade = "related"
                return closest, notices
        return enforced, notices

    def _from_metadata(self, turn: _Turn) -> tuple[Draft, list[str]]:
        """Where no passage answers, dates from the documents' metadata may, each with the
        sentence that states it."""
        context = turn.context
        if turn.only_type and context.figure_types == {"date"} and len(context.programmes) == 1:
            # "Und bis wann?" where no passage dates what the last question asked: the
            # programme's submission deadlines
            return deadline_overview(self.documents, context.programmes, turn.today)
        if {"published", "date"} <= context.types and context.programmes:
            # "Wann ist die Meldung zur Zukunftsplattform erschienen?"
            return publication(self.documents, context.programmes), []
        if context.asks_state and len(context.programmes) == 1 and turn.refusal == "gate":
            # "Gilt die Richtlinie noch? Wir überlegen, etwas einzureichen": where the best passage
            # states the date the state depends on (the end of its programme's validity or its
            # deadline), it answers with the status lead, though no passage has the other words
            ranked = self.answerer.candidates(context, turn.hits)
            best = ranked[0] if ranked else None
            if best and best.has_type and best.programme in context.programmes:
                if states_its_dates(best.text, self.documents[best.doc_id].meta):
                    return self.answerer.render(context, [best]), []
        return Draft(sentences=[], sources=[]), []

    def _unknown_programme(self, turn: _Turn) -> str | None:
        """ "Was gibt es beim Programm XY?" where no document knows XY: which programmes they cover."""
        if turn.context.programmes:
            return None
        m = _NAMED_PROGRAMME.search(turn.text)
        if m is None or any(t in self.stats.df for t in self.sparse.analyzer.terms(m.group("name"))):
            return None
        titles = sorted({f"„{d.meta.programme_title}“" for d in self.documents.values() if d.meta.programme_title})
        return (
            f"Ein Programm „{m.group('name')}“ kommt in den hinterlegten Dokumenten nicht vor. "
            f"Sie behandeln: {', '.join(titles)}."
        )

    def _in_region(self, turn: _Turn, draft: Draft, notices: list[str]) -> tuple[Draft, list[str]]:
        """ "Wie hoch ist die Förderquote in Niedersachsen?" where no document is about Niedersachsen:
        a federal guideline's rate is no answer unless its passage names the Land (the passage that
        answers, not an address cited after it); the documents have nothing on it, and the notice
        names the federal programmes the documents hold."""
        if draft.sources and set(turn.elsewhere) & set(self.lexicon.regions_in(draft.sources[0].quote)):
            return draft, notices
        names = " und ".join(self.lexicon.region_names.get(code, code) for code in turn.elsewhere)
        notice = f"Zu {names} enthalten die hinterlegten Dokumente kein eigenes Förderprogramm."
        nationwide = sorted(
            {
                f"„{d.meta.programme_title}“"
                for d in self.documents.values()
                if d.meta.region == "DE" and d.meta.programme_title
            }
        )
        if nationwide:
            notice += f" Bundesweite Programme in den Dokumenten: {', '.join(nationwide)}."
        return Draft(sentences=[], sources=[]), [*notices, notice]

    def _status_lead(self, turn: _Turn, draft: Draft) -> Draft:
        """ "Können wir noch einen Antrag stellen?": "Nein" where the cited documents' deadline or
        validity has passed, with the passage that states the date first; "Wird das Programm noch
        gefördert?": "Ja" where a cited passage's running time goes on past the reference date."""
        if not {"yesno", "date"} <= turn.context.types or len(turn.context.programmes) > 1 or not draft.sources:
            return draft
        # a running time the best passage states ("seit August 2023 bis Dezember 2028") says it
        if lead := period_lead(turn.text, draft.sources[0].quote, turn.today):
            return with_lead(draft, lead)
        if asked_year(turn.text):  # the state in the year it names, not on the reference date
            return draft
        # else the dates of the cited documents of the programme asked about (a call's deadline
        # does not say whether another programme the call mentions is still funded)
        asked = turn.context.programmes
        metas = [meta for s in draft.sources if (meta := self.documents[s.doc_id].meta).programme in asked or not asked]
        if (lead := status_lead(turn.text, metas, turn.today)) is not None:
            draft = promoted(draft, lambda s: states_its_dates(s.quote, self.documents[s.doc_id].meta))
            return with_lead(draft, lead)
        # else a running time another cited passage states, which then comes first
        running = next((s for s in draft.sources if period_end(s.quote)), None)
        if running is not None and (lead := period_lead(turn.text, running.quote, turn.today)):
            return with_lead(promoted(draft, lambda s: s is running), lead)
        return draft

    @staticmethod
    def _prefer_llm(extractive: Enforced, written: Enforced) -> tuple[Enforced, list[str]]:
        """The LLM's answer where it survived enforcement, else the extractive one."""
        if written.refused:
            return extractive, [LLM_UNSUPPORTED]
        if written.dropped:
            return written, [f"{len(written.dropped)} Satz/Sätze der KI-Antwort ohne Beleg wurden entfernt."]
        return written, []

    def _answer(self, turn: _Turn, enforced: Enforced, notices: list[str]) -> Answer:
        citations = [self.citation_for(s) for s in enforced.citations]
        if citations:
            notices = self.notices(citations, turn.context.types, turn.today, turn.context.programmes) + notices
            notices += self._unanswered(turn.context, citations)
            notices += self._which_programme(turn.context, citations)
        elif turn.context.programmes and not notices:
            notices = self._programme_notices(turn.context.programmes, turn.context.types, turn.today)
        related = turn.grade == "related"
        reason = (turn.refusal or "unsupported") if enforced.refused or related else None
        return Answer(
            question=turn.typed or turn.text,
            answer=REFUSAL if enforced.refused else f"{RELATED} {enforced.text()}" if related else enforced.text(),
            refused=enforced.refused or related,
            grade="none" if enforced.refused else turn.grade,
            refusal_reason=reason,
            citations=citations,
            notices=notices,
            retrieved=[
                Retrieved(
                    doc_id=h.chunk.doc_id,
                    chunk_id=h.chunk.id,
                    score=round(h.score, 4),
                    section=h.chunk.section,
                    text=h.chunk.text,
                )
                for h in turn.hits
            ],
            latency_ms=round((time.perf_counter() - turn.started) * 1000, 2),
            today=turn.today.isoformat(),
        )

    def _which_programme(self, context: QuestionContext, citations: list[Citation]) -> list[str]:
        """An answer from several programmes to a question that names none of them ("Wie hoch ist
        die Förderquote?" where the documents hold many) says so, and how to ask for one."""
        if context.programmes:
            return []
        cited = list(dict.fromkeys(self.documents[c.doc_id].meta.programme for c in citations))
        if len(cited) < 2 or None in cited:
            return []
        titles = self.answerer.programme_titles
        return [SEVERAL_PROGRAMMES.format(titles=", ".join(f"„{titles.get(p, p)}“" for p in cited))]

    def _unanswered(self, context: QuestionContext, citations: list[Citation]) -> list[str]:
        """A comparison answered for some of its programmes only says which it leaves open (the
        half of the question about it, where the halves ask different things), rather than
        passing over it."""
        if len(context.programmes) < 2:
            return []
        cited = {self.documents[c.doc_id].meta.programme for c in citations}
        cited |= {p for c in citations for p in self.lexicon.programmes_named(c.quote)}
        titles = self.answerer.programme_titles
        notices = []
        for programme in context.programmes:
            if programme in cited:
                continue
            if programme in context.halves:
                half = " ".join(context.halves[programme].text.split()).strip(" ?.,")
                notices.append(
                    f"Zu „{half[:1].upper()}{half[1:]}“ enthalten die hinterlegten Förderdokumente keine Angaben."
                )
            else:
                notices.append(
                    f"Zu „{titles.get(programme, programme)}“ enthalten die hinterlegten "
                    "Förderdokumente dazu keine Angaben."
                )
        return notices

    def explain(
        self, question: str, evidence: str, *, today: dt.date | None = None, history: list[Turn] | None = None
    ) -> dict:
        """For the evaluation report: the span that won and the first one that matches `evidence`
        (a regular expression), with their rank and each ranker feature's share of their score; and
        the gate's probability with its features' shares."""
        turn = self._prepare(question, None, today, history, "hybrid")
        ranked = self.answerer.candidates(turn.context, turn.hits)
        pattern = re.compile(evidence, re.IGNORECASE)

        def described(rank: int, cand: Candidate) -> dict:
            values = span_features(turn.context, cand, self.answerer.section_words)
            shares = self.answerer.ranker.largest_shares(values) if self.answerer.ranker else {}
            return {"rank": rank, "text": cand.text[:160], "shares": shares}

        right = next(
            (described(i + 1, c) for i, c in enumerate(ranked) if pattern.search(" ".join(c.text.split()))), None
        )
        return {
            "winner": described(1, ranked[0]) if ranked else None,
            "right": right,
            "gate": self.answerer.gate_decision(turn.context, ranked),
        }

    def citation_for(self, source: Source) -> Citation:
        return citation_for(self.documents, source)

    def notices(
        self, citations: list[Citation], types: set[str], today: dt.date, asked: tuple[str, ...] = ()
    ) -> list[str]:
        """Warnings that depend on the reference date, for every document the answer cites. A
        date question gets the submission deadlines of the cited documents of the programmes it
        asks about (not a call's deadline under an answer on another programme the call mentions)."""
        notices: list[str] = []
        for doc_id in dict.fromkeys(c.doc_id for c in citations):
            meta = self.documents[doc_id].meta
            its_own = not asked or meta.programme in asked
            quotes = " ".join(c.quote for c in citations if c.doc_id == doc_id)
            notices += self._document_notices(meta, quotes, types, today, its_own)
        return notices

    def _programme_notices(self, asked: tuple[str, ...], types: set[str], today: dt.date) -> list[str]:
        """Without a cited passage, a question that names programmes still learns where their
        guidelines and calls stand on the reference date (no longer in force, deadline passed)."""
        notices: list[str] = []
        for doc in self.documents.values():
            if doc.meta.programme in asked and doc.meta.kind != "background":
                notices += self._document_notices(doc.meta, "", types, today, True)
        return notices

    @staticmethod
    def _document_notices(meta: DocumentMeta, quotes: str, types: set[str], today: dt.date, its_own: bool) -> list[str]:
        notices: list[str] = []
        flat = " ".join(quotes.split())  # "20.\xa0Juni 2023" as "20. Juni 2023"
        if meta.valid_until and meta.valid_until < today:
            notices.append(
                f"Achtung: {meta.kind_label} „{meta.title}“ galt nur bis "
                f"{german_date(meta.valid_until)} und ist nicht mehr in Kraft."
            )
        elif meta.valid_from and today < meta.valid_from:
            notices.append(
                f"Achtung: {meta.kind_label} „{meta.title}“ gilt erst ab "
                f"{german_date(meta.valid_from)} und ist noch nicht in Kraft."
            )
        dated: list[str] = []  # events and starts come after the submission deadlines an applicant needs first
        for deadline in _one_per_rule(meta.deadlines, today):
            if deadline.kind != "submission":
                # an event or a start the answer quotes: whether it lies behind or ahead
                if german_date(deadline.date) in flat:
                    status, left = deadline_status(deadline, today)
                    when = (
                        "liegt zurück"
                        if status == "vorbei"
                        else "ist heute"
                        if left == 0
                        else f"steht bevor (in {days_phrase(left, dative=True)})"
                    )
                    dated.append(f"Der Termin „{deadline.purpose}“ am {german_date(deadline.date)} {when}.")
                continue
            touched = ("date" in types and its_own) or german_date(deadline.date).split(" ", 1)[1] in quotes
            if not touched:
                continue
            status, left = deadline_status(deadline, today)
            if status == "noch_nicht_offen" and deadline.opens:
                until_open = days_phrase((deadline.opens - today).days, dative=True)
                notices.append(
                    f"Die Frist „{deadline.purpose}“ hat noch nicht begonnen: Einreichung erst ab "
                    f"{german_date(deadline.opens)} (in {until_open}), bis {german_date(deadline.date)}."
                )
            elif status == "abgelaufen":
                notices.append(f"Die Frist „{deadline.purpose}“ ist am {german_date(deadline.date)} abgelaufen.")
            else:
                notices.append(
                    f"Die Frist „{deadline.purpose}“ läuft noch bis {german_date(deadline.date)} "
                    f"(noch {days_phrase(left)})."
                )
        return notices + dated


def _one_per_rule(deadlines: list[Deadline], today: dt.date) -> list[Deadline]:
    """A rule that recurs ("jeweils bis zum 31. Oktober", one deadline a year with the same purpose)
    is said once: its next closing day, or, when all have passed, its last one."""
    groups: dict[tuple[str, str], list[Deadline]] = {}
    for deadline in deadlines:
        groups.setdefault((deadline.kind, deadline.purpose), []).append(deadline)
    kept = []
    for group in groups.values():
        ahead = [d for d in group if d.date >= today]
        kept.append(min(ahead, key=lambda d: d.date) if ahead else max(group, key=lambda d: d.date))
    return sorted(kept, key=lambda d: d.date)
