"""Keep the message catalogs of the console and the commands current, and compile them.

The sources are English; each other language has a catalog of translations,
``mobile_gateway/phone/translations/<locale>/LC_MESSAGES/messages.po``, and the compiled
``messages.mo`` beside it that the package ships (``mobile_gateway.phone.i18n`` reads it).
Both are written by this script only::

    python tools/build_catalogs.py            # extract the messages of the sources, merge
                                              # them into each .po (new ones untranslated,
                                              # gone ones dropped), compile each .mo
    python tools/build_catalogs.py --check    # change nothing; exit 1 unless every .po has
                                              # exactly the sources' messages, all translated
                                              # with the same placeholders, and each .mo is
                                              # what its .po compiles to

Messages are found where the sources mark them: ``_()``, ``gettext()``, ``ngettext()`` and
``N_()`` in ``mobile_gateway/**.py``, and ``_()``/``ngettext()``/``{% trans %}`` in the
console's templates (``templates_mobile/operators/``). A translator fills in the empty
``msgstr`` lines of the .po this script leaves, then runs it again to compile. Needs Babel
and Jinja2 (both installed with the package).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages import Catalog, extract, mofile, pofile

REPO = Path(__file__).resolve().parents[1]
TRANSLATIONS = REPO / "mobile_gateway" / "phone" / "translations"
#: (folder under the repository, file pattern, extraction method).
SOURCES = (
    ("mobile_gateway", "**.py", "python"),
    ("templates_mobile/operators", "**.html", "jinja2.ext:babel_extract"),
)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
LOCALES = ("ja",)
PROJECT = "mobile-gateway"
WIDTH = 100


def extract_messages() -> Catalog:
    """Return the template catalog: every message the sources mark, without locations."""
    template = Catalog(project=PROJECT, fuzzy=False)
    for folder, pattern, method in SOURCES:
        found = extract.extract_from_dir(
            REPO / folder,
            method_map=[(pattern, method)],
            options_map={pattern: {"extensions": "jinja2.ext.i18n"}} if "jinja2" in method else {},
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
        )
        for _filename, _line, message, comments, context in found:
            template.add(message, None, auto_comments=comments, context=context)
    return template


def po_path(locale: str, translations: Path = TRANSLATIONS) -> Path:
    return translations / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(locale: str, translations: Path = TRANSLATIONS) -> Catalog:
    """Return the .po of *locale* (an empty catalog when there is none yet)."""
    path = po_path(locale, translations)
    if not path.exists():
        return Catalog(locale=locale, project=PROJECT, fuzzy=False)
    with path.open("rb") as stream:
        return pofile.read_po(stream, locale=locale)


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    pofile.write_po(
        out,
        catalog,
        width=WIDTH,
        no_location=True,
        sort_output=True,
        ignore_obsolete=True,
        include_previous=False,
    )
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    mofile.write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def mo_messages(data: bytes) -> dict:
    """The translations a compiled catalog holds (its header left out: it names the Babel
    version that wrote it, which says nothing about whether the .mo is current)."""
    catalog = mofile.read_mo(io.BytesIO(data))

    def frozen(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {(m.context, frozen(m.id)): frozen(m.string) for m in catalog if m.id}


def problems_of(catalog: Catalog, template: Catalog) -> list[str]:
    """Say what keeps *catalog* from matching the sources: missing, stale, untranslated."""
    wanted = {message.id if isinstance(message.id, str) else message.id[0] for message in template}
    wanted.discard("")
    have = {}
    for message in catalog:
        if message.id:
            have[message.id if isinstance(message.id, str) else message.id[0]] = message
    found = [f"not in the catalog: {key!r}" for key in sorted(wanted - set(have))]
    found += [f"no longer in the sources: {key!r}" for key in sorted(set(have) - wanted)]
    for key in sorted(set(have) & wanted):
        message = have[key]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            found.append(f"untranslated{' (fuzzy)' if message.fuzzy else ''}: {key!r}")
    for message, errors in catalog.check():
        found += [f"{message.id!r}: {error}" for error in errors]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    parser.add_argument(
        "--translations",
        type=Path,
        default=TRANSLATIONS,
        help="the folder of the catalogs (default: mobile_gateway/phone/translations)",
    )
    args = parser.parse_args(argv)
    template = extract_messages()
    status = 0
    for locale in LOCALES:
        catalog = read_catalog(locale, args.translations)
        if args.check:
            found = problems_of(catalog, template)
            mo = po_path(locale, args.translations).with_suffix(".mo")
            if not mo.exists() or mo_messages(mo.read_bytes()) != mo_messages(mo_bytes(catalog)):
                found.append(f"{mo} is stale: not what its .po compiles to")
            for problem in found:
                print(f"{locale}: {problem}", file=sys.stderr)
            if found:
                status = 1
            else:
                print(f"{locale}: up to date, {len(template) - 1} messages translated")
            continue
        template.creation_date = catalog.creation_date
        catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
        path = po_path(locale, args.translations)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_bytes(catalog))
        catalog = read_catalog(locale, args.translations)  # as written: obsolete messages gone
        path.with_suffix(".mo").write_bytes(mo_bytes(catalog))
        untranslated = [p for p in problems_of(catalog, template) if p.startswith("untranslated")]
        for problem in untranslated:
            print(f"{locale}: {problem}", file=sys.stderr)
        print(f"{locale}: {len(template) - 1} messages, {len(untranslated)} untranslated")
        status = 1 if untranslated else status
    return status


if __name__ == "__main__":
    sys.exit(main())
