"""Who may see and change which part of the register. Views and the API use only these."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from members.models import Organisation, Service
from trustnet.accounts.access import has_role, organisation_ids_of
from trustnet.accounts.models import Role, User

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
