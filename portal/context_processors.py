from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from members.access import organisation_ids_of
from steering.access import holds_seat


def navigation(request: HttpRequest) -> dict:
    """What the header navigation shows; computed only if a template asks."""

    def build() -> dict:
        user = request.user
        if not user.is_authenticated:
            return {"is_operator": False, "has_organisations": False, "is_seat_holder": False}
        return {
            "is_operator": user.is_staff,
            "has_organisations": bool(organisation_ids_of(user)),
            "is_seat_holder": holds_seat(user),
        }

    return {"nav": SimpleLazyObject(build)}
