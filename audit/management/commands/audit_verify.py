import re

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.heads import ExportedHead
from audit.verify import audit_chain_verify

HEAD = re.compile(r"([0-9]+):([0-9a-f]{64})(?::([0-9]+))?")


class Command(BaseCommand):
    help = (
        "Verify the audit log's keyed hash chain and that the newest exported chain head is still in it; "
        "exits non-zero at the first problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--head",
            help="check against this exported head instead of the newest in the storage: ENTRY:MAC[:COUNT]",
        )

    def handle(self, *args, **options) -> None:
        head = None
        if options["head"]:
            found = HEAD.fullmatch(options["head"].strip())
            if not found:
                raise CommandError("--head must be ENTRY:MAC[:COUNT], e.g. 1234:<64 hexadecimal characters>.")
            entry_id, mac, length = found.groups()
            head = ExportedHead(entry_id=int(entry_id), mac=mac, length=int(length or 0), exported_at="(given)")
        report = audit_chain_verify(head)
        if not report.ok:
            raise CommandError(
                f"Audit log is broken at {report.problem} ({report.checked} entries verified before it)."
            )
        against = f" Consistent with the exported head ({report.exported_head})." if report.exported_head else ""
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {report.checked} entries verified.{against}"))
