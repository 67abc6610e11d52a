import csv

from django.core.management.base import BaseCommand, CommandParser

from catalog.categories import CSV_COLUMNS, table_rows


class Command(BaseCommand):
    help = "Print the category table (SPEC section 3) as CSV or as a readable table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "table"], default="table")

    def handle(self, *args, **options) -> None:
        rows = table_rows()
        if options["format"] == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            return
        widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in CSV_COLUMNS}
        line = "  ".join(c.ljust(widths[c]) for c in CSV_COLUMNS)
        self.stdout.write(line.rstrip())
        self.stdout.write("  ".join("-" * widths[c] for c in CSV_COLUMNS))
        for r in rows:
            self.stdout.write("  ".join(r[c].ljust(widths[c]) for c in CSV_COLUMNS).rstrip())
