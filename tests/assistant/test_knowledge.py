"""Programme and funder names derived from the documents: a programme never seen before is
reached by its title, its abbreviation and its ministry's short form."""

from pathlib import Path

import pytest

from assistant.knowledge import defined_abbreviations, derive_programme_names, fold, level_of, ministry_short_forms
from assistant.lexicon import load_lexicon
from assistant.pipeline import Assistant
from index.documents import load_corpus
from tests.conftest import assistant_on, guideline_text

NEW_GUIDELINE = """---
id: he-teilhabe-richtlinie-2026
title: "Richtlinie des Landes Hessen zur Förderung von Teilhabelotsen in der Eingliederungshilfe"
issuer: "Hessisches Ministerium für Familie, Senioren, Sport, Gesundheit und Pflege (HMFG)"
kind: guideline
programme: he-teilhabelotsen
programme_title: "Teilhabelotsen Hessen (TLH)"
region: DE-HE
published: 2026-02-02
valid_from: 2026-03-01
valid_until: 2029-12-31
deadlines: []
url: null
source_file: null
note: "Test document written for this test."
---
Richtlinie des Landes Hessen zur Förderung von Teilhabelotsen in der Eingliederungshilfe

1 Zuwendungszweck
Das Hessische Ministerium für Familie, Senioren, Sport, Gesundheit und Pflege (HMFG) fördert mit dem Programm Teilhabelotsen Hessen (TLH) Lotsinnen und Lotsen, die Menschen mit Behinderungen auf dem Weg zu Leistungen der Eingliederungshilfe begleiten.

2 Zuwendungsempfänger
Antragsberechtigt sind anerkannte Träger der freien Wohlfahrtspflege mit Sitz in Hessen.

3 Höhe der Zuwendung
Die Zuwendung beträgt bis zu 48.000 Euro je Lotsenstelle und Jahr.

4 Verfahren
Bewilligungsbehörde ist das Regierungspräsidium Kassel (RP Kassel). Anträge sind bis zum 15. Januar eines Jahres zu stellen.
"""


def test_abbreviations_the_text_defines_are_found_with_their_long_form() -> None:
    found = defined_abbreviations(
        "Das Hessische Ministerium für Familie, Senioren, Sport, Gesundheit und Pflege (HMFG) und die "
        "Gesellschaft für soziale Unternehmensberatung (gsub) mbH; Künstliche Intelligenz (KI)."
    )
    assert found["HMFG"].startswith("Hessische Ministerium")
    assert found["gsub"] == "Gesellschaft für soziale Unternehmensberatung"
    assert found["KI"] == "Künstliche Intelligenz"
    assert "mbH" not in found


def test_a_long_ministry_name_is_the_long_form_of_its_abbreviation() -> None:
    found = defined_abbreviations(
        "Ministerium für Kinder, Jugend, Familie, Gleichstellung, Flucht und Integration des Landes "
        "Nordrhein-Westfalen (MKJFGFI); Bewilligungsbehörde: Bezirksregierung Arnsberg"
    )
    assert found["MKJFGFI"].startswith("Ministerium für Kinder")


def test_the_long_form_whose_initials_hold_the_abbreviation_wins_over_a_nearer_one() -> None:
    # "Soziales Miteinander" holds the letters s, s, m too, but not as initials
    found = defined_abbreviations("Saarländische Stiftung Soziales Miteinander (SSM), Stiftung aus Lotteriemitteln")
    assert found["SSM"] == "Stiftung Soziales Miteinander"


@pytest.mark.parametrize(
    ("issuer", "short"),
    [
        ("Bundesministerium für Arbeit und Soziales (BMAS)", {"arbeitsministerium", "bundesarbeitsministerium"}),
        (
            "Bundesministerium für Familie, Senioren, Frauen und Jugend",
            {"familienministerium", "bundesfamilienministerium"},
        ),
        ("Niedersächsisches Ministerium für Soziales, Arbeit, Gesundheit und Gleichstellung", {"sozialministerium"}),
        ("Ministerium für Soziales, Gesundheit und Integration Baden-Württemberg", {"sozialministerium"}),
        ("Bundesministerium für Gesundheit", {"gesundheitsministerium", "bundesgesundheitsministerium"}),
        ("SozialBank AG", set()),
    ],
)
def test_a_ministry_is_called_by_its_first_subject(issuer: str, short: set[str]) -> None:
    assert ministry_short_forms(issuer) == short


@pytest.mark.parametrize(
    ("issuer", "region", "level"),
    [
        ("Bundesministerium für Arbeit und Soziales", "DE", "bund"),
        ("Sächsisches Staatsministerium für Soziales", "DE-SN", "land"),
        ("Landeshauptstadt München, Sozialreferat", "DE-BY", "kommune"),
        ("Stiftung Miteinander", "DE", "stiftung"),
    ],
)
def test_the_level_comes_from_the_issuer(issuer: str, region: str, level: str) -> None:
    assert level_of(issuer, region) == level


def test_folding_makes_hyphens_case_and_umlauts_equal() -> None:
    assert fold("Civic-Innovation-Richtlinie") == "civic innovation richtlinie"
    assert fold("Sächsische FÖRDERQUOTE") == fold("saechsische foerderquote")


@pytest.fixture(scope="module")
def with_new_programme(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    with assistant_on(
        tmp_path_factory.mktemp("new-programme"), {"he-teilhabe-richtlinie-2026.md": NEW_GUIDELINE}, with_corpus=True
    ) as helper:
        yield helper


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "Wie viel Geld gibt es bei den Teilhabelotsen Hessen?",  # by title
        "Wie viel zahlt das HMFG je Lotsenstelle?",  # by the abbreviation the text defines
        "wieviel gibts vom hessischen familienministerium pro lotsenstelle",  # by the ministry's short form
        "Wie viel gibt es beim TLH?",  # by the abbreviation in the programme's title
    ],
)
def test_a_never_seen_programme_is_reached_by_its_names(with_new_programme: Assistant, question: str) -> None:
    assert with_new_programme.lexicon.programmes_in(question) == ["he-teilhabelotsen"]
    answer = with_new_programme.ask(question)
    assert not answer.refused, answer.answer
    assert answer.citations[0].doc_id == "he-teilhabe-richtlinie-2026"
    assert "48.000 Euro" in answer.answer


@pytest.mark.slow
def test_a_word_two_programmes_share_names_neither_alone(with_new_programme: Assistant) -> None:
    lexicon = with_new_programme.lexicon
    # "Sozialministerium" is no name of the Hessian programme; the Saxon one is named by it
    assert lexicon.programmes_in("Was fördert das Sozialministerium in Sachsen?") == ["sn-modellvorhaben"]
    assert lexicon.programmes_in("Was fördert Hessen?") == ["he-teilhabelotsen"]
    assert "he-teilhabelotsen" not in lexicon.programmes_in("Wie viel gibt es beim Bund?")


def test_the_lexicon_names_no_programme_of_the_corpus() -> None:
    """Programme names come from the documents, never from the hand-written lexicon."""
    text = (Path(__file__).resolve().parents[2] / "assistant" / "data" / "lexicon.yaml").read_text("utf-8").lower()
    for name in ("civic", "bmas", "gsub", "sinn", "zukunftsplattform", "sab", "aufbaubank", "parikom", "köpping"):
        assert f" {name}," not in text and f"[{name}," not in text and f" {name}]" not in text, name


def _derived(folder: Path) -> dict:
    """The programme names derived from the documents in `folder`."""
    general = load_lexicon()
    return derive_programme_names(load_corpus(folder).documents, general.regions, general.levels)


def test_a_short_title_names_its_programme_and_a_word_others_use_more_does_not(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        guideline_text(
            "sucht-2026",
            "Verwaltungsvorschrift über die Förderung der ambulanten Suchtberatung (VwV Suchthilfe)",
            "sucht",
            "Förderung der ambulanten Suchtberatung",
            "Gefördert werden Träger von Beratungsstellen. Träger müssen gemeinnützig sein. "
            "Jeder Träger legt einen Finanzplan vor. Die Träger berichten jährlich.",
        ),
        "utf-8",
    )
    (tmp_path / "b.md").write_text(
        guideline_text(
            "jugend-2026",
            "Richtlinie zur Förderung der Jugendarbeit freier Träger",
            "jugend",
            "Jugendarbeit freier Träger",
            "Gefördert wird die offene Jugendarbeit. Antragsberechtigt sind freie Träger.",
        ),
        "utf-8",
    )
    names = _derived(tmp_path)
    assert {"vwv suchthilfe", "suchthilfe"} <= names["sucht"].own  # the short title in parentheses
    assert "jugendarbeit freier träger" in names["jugend"].own  # the title itself
    # "Träger" stands in the youth programme's title, but the addiction guideline uses it more
    assert "träger" not in names["jugend"].own


def test_words_two_programme_titles_share_name_neither(tmp_path: Path) -> None:
    for doc_id, programme, title in (
        ("plattform-2026", "plattform", "Zukunftsplattform für soziale Innovationen"),
        ("modelle-2026", "modelle", "Modellvorhaben für soziale Innovationen"),
    ):
        # the platform's text uses the shared words most: still they name neither programme
        text = f"Gefördert werden {title}." + " Soziale Innovationen sind neue Lösungen." * (
            3 if doc_id[0] == "p" else 0
        )
        (tmp_path / f"{doc_id}.md").write_text(guideline_text(doc_id, title, programme, title, text), "utf-8")
    names = _derived(tmp_path)
    assert "zukunftsplattform" in names["plattform"].own and "modellvorhaben" in names["modelle"].own
    assert not any("soziale innovationen" == name for n in names.values() for name in n.own)


def test_an_organisation_one_programmes_documents_name_by_its_legal_form_names_that_programme(tmp_path: Path) -> None:
    from assistant.lexicon import load_lexicon

    texts = {
        "plattform": "Die Musterkom gGmbH ist für Führungsaufgaben verantwortlich und sitzt in der Region Chemnitz.",
        "modelle": "Gefördert werden Modellvorhaben in Sachsen.",
    }
    for programme, title in (("plattform", "Zukunftsplattform Musterland"), ("modelle", "Modellvorhaben Musterland")):
        text = guideline_text(f"{programme}-2026", title, programme, title, texts[programme], region="DE-SN")
        (tmp_path / f"{programme}.md").write_text(text, "utf-8")
    names = _derived(tmp_path)
    assert "musterkom" in names["plattform"].own and "musterkom" not in names["modelle"].own
    lexicon = load_lexicon().with_programmes(names)
    # named beside a Land that points at the other programme: the organisation decides
    assert lexicon.programmes_in("in welcher region in sachsen sitzt die musterkom") == ["plattform"]


def test_an_abbreviation_that_opens_the_issuers_name_names_the_funder(tmp_path: Path) -> None:
    text = guideline_text(
        "ferien-2026",
        "Merkblatt zur Förderung von Ferienfreizeiten",
        "ferien",
        "Ferienfreizeiten Musterland",
        "Gefördert werden Ferienfreizeiten für Kinder und Jugendliche.",
        issuer="KVM-Landesjugendamt Musterland",
    )
    (tmp_path / "a.md").write_text(text, "utf-8")
    lexicon = load_lexicon().with_programmes(_derived(tmp_path))
    assert lexicon.programmes_in("Bis wann muss der Antrag beim KVM sein?") == ["ferien"]


def test_a_foundation_with_a_hyphenated_name_is_named_by_its_words_and_not_by_its_seat(tmp_path: Path) -> None:
    for programme, issuer in (("ferien", "Hilde-und-Otto-Musterhuber-Stiftung, Hannover"), ("kita", "Kitaamt Leer")):
        text = guideline_text(
            f"{programme}-2026",
            f"Aufruf {programme}",
            programme,
            f"Programm {programme.title()}",
            "Gefördert werden Freizeiten für Kinder.",
            issuer=issuer,
        )
        (tmp_path / f"{programme}.md").write_text(text, "utf-8")
    lexicon = load_lexicon().with_programmes(_derived(tmp_path))
    assert lexicon.programmes_in("wer entscheidet bei der musterhuber stiftung über die anträge") == ["ferien"]
    assert lexicon.programmes_in("Gibt es bei der Hilde-und-Otto-Musterhuber-Stiftung eine Jury?") == ["ferien"]
    assert lexicon.programmes_in("Gibt es Förderung in Hannover?") == []


@pytest.mark.slow
def test_an_abbreviation_the_document_uses_elsewhere_does_not_refuse_its_passage(with_new_programme: Assistant) -> None:
    # "RP" stands in the sentence before the deadline, not in it: the passage may still answer
    # (whether it does is the gate's decision), the abbreviation is no reason to refuse
    asked = with_new_programme.ask("Bis wann muss der Antrag für die Teilhabelotsen beim RP sein?")
    assert asked.refusal_reason != "abbreviation"
    # one another document uses names something else (the KfW of the SozialBank interview): a
    # passage of a document that never names it does not answer, and that is a reason to refuse
    other = with_new_programme.ask("Bis wann muss der Antrag für die Teilhabelotsen bei der KfW sein?")
    assert other.refused and other.refusal_reason == "abbreviation"
    # one no document uses is the asker's own shorthand ("beim LVR", "unsere SHG"): not a reason by
    # itself; the gate decides, as for any word the documents do not know
    unknown = with_new_programme.ask("Bis wann muss der Antrag für die Teilhabelotsen beim LVR sein?")
    assert unknown.refusal_reason != "abbreviation"


def test_a_compound_of_a_title_words_first_part_and_a_programme_word_names_the_programme(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        guideline_text(
            "demenz-2026",
            "Richtlinie zur Förderung lokaler Demenznetzwerke (Richtlinie Demenznetzwerke)",
            "demenz",
            "Richtlinie Demenznetzwerke",
            "Gefördert werden lokale Demenznetzwerke. Demenzkranke und ihre Angehörigen werden beraten.",
        ),
        "utf-8",
    )
    (tmp_path / "b.md").write_text(
        guideline_text(
            "wohnen-2026",
            "Richtlinie zur Förderung von Wohnberatungsstellen",
            "wohnen",
            "Förderung von Wohnberatungsstellen",
            "Gefördert werden Wohnberatungsstellen. Die Wohnberatung ist kostenfrei.",
        ),
        "utf-8",
    )
    names = _derived(tmp_path)
    assert names["demenz"].leading == {"demenz"}  # "Demenz|netzwerke"
    assert names["wohnen"].leading == {"wohnberatung"}  # "Wohn|beratungs|stellen", without the linking "s"
    lexicon = load_lexicon().with_programmes(names)
    assert lexicon.programmes_in("gilt die demenz-richtlinie noch") == ["demenz"]
    assert lexicon.programmes_in("duerfen wir bei der wohnberatungsfoerderung vorher anfangen") == ["wohnen"]
    # the first part alone, or before a head that names no programme, is a topic, not a name
    assert lexicon.programmes_in("Werden Angebote für Demenzkranke gefördert?") == []


def _hessian(doc_id: str, programme: str, title: str, text: str) -> str:
    issuer = "Hessisches Ministerium für Soziales und Integration"
    return guideline_text(doc_id, title, programme, title, text, issuer=issuer, region="DE-HE")


@pytest.mark.slow
def test_a_land_named_without_a_programme_means_that_lands_programmes(tmp_path: Path) -> None:
    documents = {
        "he-a.md": _hessian(
            "he-lotsen-2026", "he-lotsen", "Richtlinie Quartierslotsen", "Der Zuschuss beträgt bis zu 20.000 Euro."
        ),
        "he-b.md": _hessian(
            "he-tafeln-2026", "he-tafeln", "Richtlinie Tafelhilfe", "Gefördert werden Kühlfahrzeuge der Tafeln."
        ),
    }
    with assistant_on(tmp_path, documents, with_corpus=True) as helper:  # the corpus holds a federal guideline
        asked = "Wie hoch ist der Zuschuss in Hessen?"
        assert helper.lexicon.programmes_in(asked) == []  # two Hessian programmes: the Land names neither
        assert ("region", ["DE-HE"]) in helper.query_for(asked, None, None).filters
        answer = helper.ask(asked)
        assert answer.citations and all(c.doc_id.startswith("he-") for c in answer.citations)
        # a word that may point at a federal programme keeps the federal documents in
        federal = helper.query_for("Wie hoch ist der Zuschuss vom BMAS in Hessen?", None, None)
        assert ("region", ["DE-HE", "DE"]) in federal.filters


@pytest.mark.slow
def test_a_comparison_naming_one_programme_and_another_by_its_land_compares_both(tmp_path: Path) -> None:
    documents = {
        "he-a.md": _hessian(
            "he-lotsen-2026",
            "he-lotsen",
            "Richtlinie Quartierslotsen",
            "Die Förderquote beträgt bis zu 70 Prozent der zuwendungsfähigen Ausgaben.",
        ),
        "he-b.md": _hessian(
            "he-tafeln-2026",
            "he-tafeln",
            "Richtlinie Tafelhilfe",
            "Gefördert werden Kühlfahrzeuge der Tafeln. Die Förderquote beträgt bis zu 50 Prozent.",
        ),
    }
    with assistant_on(tmp_path, documents, with_corpus=True) as helper:
        asked = "Wo ist die Förderquote höher: bei Civic Innovation oder bei der hessischen Tafel-Förderung?"
        query = helper.query_for(asked, None, None)
        assert query.programmes == ("civic-innovation", "he-tafeln")  # the Hessian one its words find
        # the named programme's documents stay in, though the Land named is another's
        assert ("region", ["DE-HE", "DE"]) in query.filters
        answer = helper.ask(asked)
        assert not answer.refused
        cited = {c.doc_id for c in answer.citations}
        assert "he-tafeln-2026" in cited and any(d.startswith("bmas-") for d in cited)
        # without a comparison the Land is where the asker is, not a second programme
        alone = helper.query_for("Können Vereine aus Hessen bei Civic Innovation einen Antrag stellen?", None, None)
        assert alone.programmes == ("civic-innovation",)


def test_a_pair_of_words_other_programmes_use_as_much_and_a_lands_adjective_name_no_programme(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        guideline_text(
            "coaching-2026",
            "Förderaufruf ESF Plus Neustart Coaching",
            "coaching",
            "ESF Plus Neustart Coaching",
            "Gefördert wird Coaching aus Mitteln des ESF Plus. Das Neustart Coaching begleitet Menschen.",
            issuer="Saarländische Stiftung Neustart",
            region="DE-SL",
        ),
        "utf-8",
    )
    for name in ("b", "c"):
        (tmp_path / f"{name}.md").write_text(
            guideline_text(
                f"lotsen-{name}-2026",
                f"Richtlinie Familienlotsen {name.upper()}",
                f"lotsen-{name}",
                f"Familienlotsen {name.upper()}",
                "Die Familienlotsen werden aus dem ESF Plus gefördert. Der ESF Plus trägt 60 Prozent.",
            ),
            "utf-8",
        )
    names = _derived(tmp_path)["coaching"]
    assert "neustart coaching" in names.own  # its documents use the pair more than all others together
    assert "esf plus" not in names.own  # two other programmes speak of the ESF Plus as much
    # an inflected adjective of a Land is a place (it names the Land's programmes), not the issuer's own name
    assert "saarländische" not in names.own and "saarländische" in names.funder


def test_a_land_is_named_by_its_adjectives_inflected_forms_and_its_usual_abbreviation() -> None:
    lexicon = load_lexicon()
    assert lexicon.regions_in("was zahlt das saarländische sozialministerium") == ["DE-SL"]
    assert lexicon.regions_in("beim niedersächsischen Programm") == ["DE-NI"]
    assert lexicon.regions_in("Förderquote der Ehrenamtskoordination in MV?") == ["DE-MV"]
    assert lexicon.regions_in("gemeindeschwester in RLP") == ["DE-RP"]
    # "Sachsen-Anhalt" is not also "Sachsen"; a word that only starts like an abbreviation names nothing
    assert lexicon.regions_in("in Sachsen-Anhalt") == ["DE-ST"]
    assert lexicon.regions_in("Was ist mit Mvz-Projekten?") == []
