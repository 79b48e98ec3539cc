"""Every catalog is complete, plural forms are right, and no text is left out of them."""

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from tests.support.catalogs import TRANSLATIONS, compile_catalogs, po_files
from ticketing.i18n import LANGUAGES

# What each language's Plural-Forms must say (CLDR, as `pybabel init` writes it).
PLURALS = {"ru": 3, "uk": 3, "tr": 2}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def test_the_languages_are_english_and_every_catalog():
    assert LANGUAGES[:4] == ("en", "ru", "uk", "tr")
    catalogs = sorted(p.parent.parent.name for p in po_files())
    assert catalogs == sorted(set(LANGUAGES) - {"en"}) == sorted(PLURALS)


@pytest.mark.parametrize("language", sorted(PLURALS))
def test_catalog_is_complete_with_no_fuzzy_entry_and_the_same_placeholders(language):
    entries = [m for m in catalog(language) if m.id]
    assert len(entries) > 400
    for message in entries:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"{language}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{language}: fuzzy {message.id!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) - {"%(num)d"}
        for text in strings:
            got = set(PLACEHOLDER.findall(text)) - {"%(num)d"}
            assert got == wanted, f"{language}: {message.id!r} -> {text!r}"
            assert text != ids[0] or not re.search("[A-Za-z]{4}", text) or "Stripe" in text, (
                f"{language}: copied, not translated: {text!r}"
            )


@pytest.mark.parametrize(("language", "forms"), sorted(PLURALS.items()))
def test_plural_forms_header_and_every_plural_entry_has_all_forms(language, forms):
    po = catalog(language)
    assert po.num_plurals == forms
    assert f"nplurals={forms};" in po.plural_forms
    plural_entries = [m for m in po if m.id and isinstance(m.id, tuple)]
    assert plural_entries
    for message in plural_entries:
        assert len(message.string) == forms and all(message.string), message.id


@pytest.mark.parametrize(
    ("language", "one", "few", "many"),
    [
        ("ru", "1 билет", "2 билета", "5 билетов"),
        ("uk", "1 квиток", "2 квитки", "5 квитків"),
        ("tr", "1 bilet", "2 bilet", "5 bilet"),
    ],
)
def test_plurals_read_right_in_each_language(app, language, one, few, many):
    compile_catalogs()
    text = "%(num)d ticket for %(name)s. Your tickets and their QR codes are in your ticket email."
    plural = text.replace("ticket for", "tickets for")
    with app.test_request_context(), force_locale(language):
        said = [ngettext(text, plural, n, name="Petrova") for n in (1, 2, 5, 21, 22, 25)]
    assert one in said[0] and few in said[1] and many in said[2]
    # 21 reads like 1, 22 like 2, 25 like 5.
    for n, said_n, like in ((21, said[3], one), (22, said[4], few), (25, said[5], many)):
        assert f"{n} {like.split()[1]}" in said_n


def test_every_text_in_the_sources_is_in_every_catalog(tmp_path):
    """What `make messages` would extract is already translated (nothing added and forgotten)."""
    pot = tmp_path / "messages.pot"
    root = TRANSLATIONS.parents[1]
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "lazy_gettext", "-k", "N_", "--no-location", "-o", str(pot), "."],
        cwd=root, check=True,
    )  # fmt: skip
    with pot.open("rb") as source:
        wanted = {m.id for m in read_po(source) if m.id}
    for language in PLURALS:
        have = {m.id for m in catalog(language) if m.id and m.string}
        missing = sorted(str(m) for m in wanted - have)
        assert not missing, f"{language}: run `make messages` and translate: {missing[:10]}"
