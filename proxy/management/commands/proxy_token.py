"""`manage.py proxy_token create NAME --env ENV` (prints the key once), `list`, `revoke ID`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from proxy.models import ProxyToken
from proxy.services import proxy_token_create, proxy_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke the tokens the identity proxy pulls its configuration with."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print its key once.")
        create.add_argument("name")
        create.add_argument("--env", required=True, choices=["test", "production"])
        sub.add_parser("list", help="List tokens.")
        revoke = sub.add_parser("revoke", help="Revoke a token.")
        revoke.add_argument("id", type=int)

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "create":
            try:
                token, key = proxy_token_create(name=str(options["name"]), environment=str(options["env"]))
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stderr.write(f"Token {token.pk} '{token.name}' for {token.environment}. The key is shown only now:")
            self.stdout.write(key)
        elif action == "list":
            for token in ProxyToken.objects.all():
                state = "revoked" if token.revoked_at else "active"
                used = token.last_used_at.isoformat() if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.pk}\t{token.environment}\t{token.name}\t{token.prefix}…\t{state}\tlast used {used}"
                )
        else:
            token = ProxyToken.objects.filter(pk=options["id"]).first()
            if token is None:
                raise CommandError(f"id: no token {options['id']}")
            proxy_token_revoke(token=token)
            self.stdout.write(f"Token {token.pk} revoked.")
