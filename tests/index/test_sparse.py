from index.sparse import GermanAnalyzer, SparseEncoder


def test_compound_meets_its_parts() -> None:
    analyzer = GermanAnalyzer()
    assert "verbund" in analyzer.terms("Trägerverbünde")
    assert "verbund" in analyzer.terms("Verbund")
    assert "empfang" in analyzer.terms("Zuwendungsempfänger")


def test_stop_words_dropped_and_numbers_normalised() -> None:
    analyzer = GermanAnalyzer()
    terms = analyzer.terms("Die Förderung beträgt bis zu 300.000 Euro und 500 000 Euro")
    assert "die" not in terms and "und" not in terms
    assert {"300000", "500000", "euro"} <= set(terms)


def test_document_vector_saturates_term_frequency() -> None:
    enc = SparseEncoder()
    once = enc.encode_document("Förderquote")
    thrice = enc.encode_document("Förderquote Förderquote Förderquote")
    assert once.indices == thrice.indices
    assert once.values[0] < thrice.values[0] < 3 * once.values[0]
