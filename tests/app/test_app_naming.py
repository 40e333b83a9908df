"""How pages name documents (search_app/naming.py): readable titles, cuts at a word, versions by date."""
from __future__ import annotations

from search_app.naming import cut, readable_title


def test_shouting_titles_are_written_as_sentences_keeping_abbreviations():
    assert readable_title("DIRECTIVE (EU) 2024/1760 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL of 13 June 2024") == \
        "Directive (EU) 2024/1760 of the European Parliament and of the Council of 13 June 2024"
    assert readable_title("RICHTLIJN 2014/95/EU VAN HET EUROPEES PARLEMENT EN DE RAAD", "nl") == \
        "Richtlijn 2014/95/EU van het Europees Parlement en de Raad"
    assert readable_title("RÈGLEMENT D’EXÉCUTION (UE) 2024/3084 DE LA COMMISSION", "fr") == \
        "Règlement d’Exécution (UE) 2024/3084 de la Commission"
    # a title that does not shout is left alone, abbreviations and all
    assert readable_title("Kabinet vernieuwt IMVO-beleid", "nl") == "Kabinet vernieuwt IMVO-beleid"
    title = "Corporate Sustainability Reporting Directive"
    assert readable_title(f"  {title.replace(' ', '   ', 1)} ") == title


def test_cuts_fall_between_words_with_an_ellipsis():
    title = "Corrigendum to Directive (EU) 2024/1760 of the European Parliament and of the Council of 13 June 2024"
    assert cut(title, 200) == title
    short = cut(title, 60)
    assert short.endswith(" …") and len(short) <= 62 and title.startswith(short[:-2])
    assert short[:-2].split()[-1] in title.split()  # whole words only ('of 1' never stands for 'of 13 June')
    assert cut("Supercalifragilistic", 5) == "Super …"
