from __future__ import annotations

import pytest

from annotations.ingest.documents import normalise_text
from annotations.ingest.segment import split_sentences


def texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def assert_offset_rule(text: str) -> None:
    for span in split_sentences(text):
        piece = text[span.start : span.end]
        assert piece == piece.strip(), f"stray whitespace in {piece!r}"
        assert piece, "empty sentence"


def test_wire_story_has_sixteen_sentences_with_the_headline_first(article_text: str) -> None:
    spans = split_sentences(article_text)

    assert len(spans) == 16
    assert spans[0].is_headline
    assert (
        article_text[spans[0].start : spans[0].end]
        == "Customs chief links Velmora governor to cross-border diesel racket"
    )
    assert not any(s.is_headline for s in spans[1:])
    assert [s.index for s in spans] == list(range(16))
    assert_offset_rule(article_text)


def test_wire_story_sentences_keep_their_paragraphs(article_text: str) -> None:
    spans = split_sentences(article_text)
    by_text = {article_text[s.start : s.end][:30]: s for s in spans}

    # "…,” Marrow said." and "Most of the loads…" share a paragraph; the figures do not.
    driver = by_text["“A driver can earn a month’s w"]
    loads = next(s for s in spans if article_text[s.start :].startswith("Most of the loads"))
    assert driver.paragraph == loads.paragraph
    assert loads.index == driver.index + 1
    assert loads.paragraph < by_text["Inspectors have raided 27 depo"].paragraph
    # The lede and its repetition are two paragraphs of one sentence each.
    lede, again = (article_text[s.start : s.end] for s in spans[1:3])
    assert lede == again and lede.startswith("Velmora’s customs directorate")
    assert [s.paragraph for s in spans[:4]] == [0, 1, 2, 3]


def test_wire_story_quote_with_inner_quotes_and_commas_stays_one_sentence(
    article_text: str,
) -> None:
    sentences = texts(article_text)
    quote = next(s for s in sentences if s.startswith("“What we are showing"))
    assert "Deputy Director Pavel Lind said" in quote
    assert quote.endswith("a line of tankers that never stops.")


def test_unicode_text_keeps_exact_offsets() -> None:
    text = (
        "Erdoğan’s office denies “any link”\n\n"
        "Ankara said on Monday that the claims were “baseless”. The statement\u00a0ran to 2\u00a0pages. "
        "Çağrı Yıldız, a spokesman, said: «Nothing was smuggled.»"
    )
    spans = split_sentences(text)

    assert texts(text) == [
        "Erdoğan’s office denies “any link”",
        "Ankara said on Monday that the claims were “baseless”.",
        "The statement\u00a0ran to 2\u00a0pages.",
        "Çağrı Yıldız, a spokesman, said: «Nothing was smuggled.»",
    ]
    assert spans[0].is_headline
    assert_offset_rule(text)


def test_headline_on_its_own_line_without_blank_line_is_its_own_unit() -> None:
    text = "Council votes to double bridge toll\nThe council voted 9 to 4 on Tuesday. The toll rises in March."

    assert texts(text) == [
        "Council votes to double bridge toll",
        "The council voted 9 to 4 on Tuesday.",
        "The toll rises in March.",
    ]


def test_first_line_that_is_a_sentence_is_not_mistaken_for_a_headline() -> None:
    spans = split_sentences("The council met on Tuesday. It voted 9 to 4.")
    assert not any(s.is_headline for s in spans)
    assert len(spans) == 2


def test_hard_wrapped_lines_are_not_split_mid_sentence() -> None:
    text = "Title\n\nThe minister said the\nprogramme cost £4 million\nlast year. Critics disagree."
    assert texts(text)[1:] == [
        "The minister said the\nprogramme cost £4 million\nlast year.",
        "Critics disagree.",
    ]


def test_abbreviations_and_decimals_do_not_end_sentences() -> None:
    text = "Dr. Smith said U.S. output rose 2.5 percent in Jan. last year. Others disagreed."
    assert texts(text) == [
        "Dr. Smith said U.S. output rose 2.5 percent in Jan. last year.",
        "Others disagreed.",
    ]


@pytest.mark.parametrize("text", ["", "   \n\n  \t", "\u00a0\u00a0"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_normalised_windows_text_splits_like_unix_text(article_text: str) -> None:
    windows = "\r\n".join(article_text.split("\n")) + "\r\n\r\n\r\n"
    assert texts(normalise_text(windows)) == texts(article_text)


# --- Spanish -------------------------------------------------------------------------------

SPANISH_SENTENCES = [
    "Los embalses del valle del Tarso caen por debajo de la mitad de su capacidad",
    "Los embalses que abastecen al valle del Tarso almacenan hoy el 46,8 % de su capacidad, "
    "según el último boletín de la Confederación Hidrográfica del Tarso.",
    "Hace un año, en la misma semana, guardaban casi el 71 por ciento, según la misma fuente.",
    "«No habíamos visto una caída tan rápida desde 1995», afirmó la Dra. Inés Calvo Ferrer, "
    "directora de la oficina técnica de la confederación.",
    "La Dra. Calvo explicó que las lluvias de otoño fueron un 38 % inferiores a la media de "
    "los últimos treinta años.",
    "¿Hay agua suficiente para el verano?",
    "La pregunta se repite en los ayuntamientos de la comarca.",
    "El Sr. Tomás Ruiz, alcalde de San Julián del Tarso, aseguró que su municipio recibe cada "
    "semana 1.080 camiones cisterna desde la costa.",
    "¡Es insostenible!",
    "Así resumió la situación el portavoz de la asociación de regantes, Martín Olaya.",
    "Según sus cálculos, el transporte de agua cuesta a la región unos 3 millones de dólares "
    "al día, una cifra que el Gobierno regional rebaja a 2,1 millones.",
    "La consejera de Medio Ambiente, Lucía Andrade, declaró el martes que el gasto diario "
    "«no supera los dos millones de euros».",
    "Andrade añadió que la región ha invertido 45 millones de euros en desaladoras desde 2019.",
    "Los agricultores, p. ej. los productores de cítricos de la vega baja, han reducido el "
    "riego en casi el 50 por ciento.",
    "La cooperativa Frutas del Tarso estima que perderá 3,5 millones de kilos de naranjas esta "
    "campaña, el doble que en la anterior.",
    "El caso ha llegado también a la prensa de EE. UU. tras un reportaje sobre la exportación "
    "de cítricos.",
    "Un importador de Florida dijo que sus pedidos al valle cayeron un 20 % en el último "
    "trimestre.",
    "¿Quién paga la factura?",
    "Los grupos de la oposición sostienen que la confederación conocía el riesgo desde hace "
    "dos años.",
    "El diputado Jorge Salas acusó al Gobierno regional de ocultar un informe técnico de 2023.",
    "«¿Dónde estaba la confederación cuando se firmó ese informe?», preguntó Salas en el pleno.",
    "La consejería negó haberlo ocultado y afirmó que el documento se publicó en su web en marzo.",
    "Mientras tanto, los vecinos se adaptan.",
    "En Villamar, el consumo doméstico bajó de 132 a 104 litros por persona y día, según la "
    "empresa municipal de aguas.",
    "«Cerramos las duchas de la playa y las fuentes ornamentales», dijo la concejala María "
    "José Peña.",
    "¡Y aun así no basta!",
    "La confederación volverá a reunirse el 14 de diciembre para decidir si declara la "
    "emergencia hídrica en toda la cuenca.",
]


def test_spanish_story_splits_into_its_sentences_at_exact_offsets(spanish_text: str) -> None:
    spans = split_sentences(spanish_text, language="es")

    assert len(spans) == len(SPANISH_SENTENCES) == 27
    position = 0
    for span, expected in zip(spans, SPANISH_SENTENCES, strict=True):
        start = spanish_text.index(expected, position)
        assert (span.start, span.end) == (start, start + len(expected)), expected
        assert spanish_text[span.start : span.end] == expected
        position = span.end
    assert spans[0].is_headline and not any(s.is_headline for s in spans[1:])
    assert [s.index for s in spans] == list(range(27))
    # ¿…? and ¡…! open their sentences; the paragraphs are kept.
    assert [s.paragraph for s in spans[5:9]] == [3, 3, 3, 4]


def test_spanish_titles_and_doubled_initials_do_not_end_sentences() -> None:
    text = "La Dra. Calvo y el Excmo. Sr. Ruiz viajaron a EE. UU. y a la sede de CC. OO. ayer. Volvieron el lunes."
    assert [text[s.start : s.end] for s in split_sentences(text, language="es")] == [
        "La Dra. Calvo y el Excmo. Sr. Ruiz viajaron a EE. UU. y a la sede de CC. OO. ayer.",
        "Volvieron el lunes.",
    ]


def test_spanish_rules_apply_to_spanish_text_only(spanish_text: str) -> None:
    # Read as English, "la Dra." and "EE." end sentences: the language decides.
    english = [spanish_text[s.start : s.end] for s in split_sentences(spanish_text)]
    assert any(sentence.endswith("la Dra.") for sentence in english)
    assert len(english) > len(SPANISH_SENTENCES)
    assert_offset_rule(spanish_text)
