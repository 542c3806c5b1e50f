"""`python manage.py mkba_calculate INPUT.json`: print the MKBA result document of an input document.

The input format is documented in reporting/mkba/calculation.py; reporting/mkba/examples/invoer.json
is an example. `-` reads standard input. The price-book version is the one the document names
(`priceBookVersion`), else the one in force today.
Invalid input: every problem on standard error (path: message) and exit status 1.
"""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from reporting.mkba import services
from reporting.mkba.calculation import InvalidInput


class Command(BaseCommand):
    help = "Bereken een MKBA uit een invoerdocument (JSON) en druk het resultaat af als JSON."

    def add_arguments(self, parser):
        parser.add_argument("input", help="pad naar het invoerdocument (JSON), of - voor standaardinvoer")
        parser.add_argument("--indent", type=int, default=2, help="inspringing van de uitvoer (0: één regel)")

    def handle(self, *args, **options):
        path = options["input"]
        try:
            text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
        except OSError as exc:
            raise CommandError(f"Kan {path} niet lezen: {exc.strerror}.") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"Geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}): {exc.msg}.") from None
        try:
            result = services.calculate_document(document)
        except InvalidInput as exc:
            for issue in exc.issues:
                self.stderr.write(f"{issue.path or '(document)'}: {issue.message}")
            raise CommandError(f"Het invoerdocument bevat {len(exc.issues)} fout(en).") from None
        indent = options["indent"] or None
        self.stdout.write(json.dumps(result, indent=indent, ensure_ascii=False))
