"""Who may see and change which part of the register. Views and the API use only these."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from accounts.models import User
from members.models import Organisation, OrganisationRole, Role, Service


def roles_by_organisation(user: User) -> dict[int, set[str]]:
    """{organisation id: {role, ...}} for one user, in one query (cached on the user object)."""
    cached = getattr(user, "_roles_by_organisation", None)
    if cached is None:
        cached = {}
        if user.is_authenticated:
            for organisation_id, role in OrganisationRole.objects.filter(user=user).values_list(
                "organisation_id", "role"
            ):
                cached.setdefault(organisation_id, set()).add(role)
        user._roles_by_organisation = cached
    return cached


def has_role(user: User, organisation_id: int, roles: Iterable[str] | None = None) -> bool:
    """Does the user hold any of `roles` (or any role at all) in the organisation?"""
    held = roles_by_organisation(user).get(organisation_id, set())
    return bool(held) if roles is None else bool(held & set(roles))


def organisation_ids_of(user: User, roles: Iterable[str] | None = None) -> list[int]:
    wanted = set(roles) if roles is not None else None
    return [
        organisation_id
        for organisation_id, held in roles_by_organisation(user).items()
        if wanted is None or held & wanted
    ]


def users_with_role(organisation_id: int, roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        organisation_roles__organisation_id=organisation_id,
        organisation_roles__role__in=list(roles),
    ).distinct()


# People who run an organisation's services, schools and login sources.
TECHNICAL_ROLES = (Role.ADMIN, Role.TECHNICAL)


def can_view(user: User, organisation_id: int) -> bool:
    return user.is_staff or has_role(user, organisation_id)


def can_edit_organisation(user: User, organisation_id: int) -> bool:
    return user.is_staff or has_role(user, organisation_id, [Role.ADMIN])


def can_edit_technical(user: User, organisation_id: int) -> bool:
    return user.is_staff or has_role(user, organisation_id, TECHNICAL_ROLES)


def visible_organisation_ids(user: User) -> list[int] | None:
    """None for staff (everything), else the ids of the user's own organisations."""
    return None if user.is_staff else organisation_ids_of(user)


def get_organisation_for_user(request: HttpRequest, pk: int, *, edit: str | None = None) -> Organisation:
    """The organisation, or 404 when the user may not see it (or may not `edit` "organisation"/"technical")."""
    user = request.user
    allowed = {None: can_view, "organisation": can_edit_organisation, "technical": can_edit_technical}[edit]
    if not allowed(user, pk):
        raise Http404
    try:
        return Organisation.objects.get(pk=pk)
    except Organisation.DoesNotExist as error:
        raise Http404 from error


def get_service_for_user(request: HttpRequest, pk: int, *, edit: bool = False) -> Service:
    try:
        service = Service.objects.select_related("provider", "live_version").get(pk=pk)
    except Service.DoesNotExist as error:
        raise Http404 from error
    allowed = can_edit_technical if edit else can_view
    if not allowed(request.user, service.provider_id):
        raise Http404
    return service
