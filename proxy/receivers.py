"""Rebuild when the register changes: listens to the domain apps' signals (DESIGN section 6:
the domain apps never import the proxy)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver

from contracts.signals import membership_changed
from members.signals import register_changed
from proxy.tasks import proxy_build_schedule


@receiver(register_changed, dispatch_uid="proxy.register_changed")
def on_register_changed(sender: Any, environment: str | None = None, reason: str = "", **kwargs: Any) -> None:
    if not settings.PROXY_BUILD_ON_CHANGE:
        return
    proxy_build_schedule(environment=environment, trigger=f"register: {reason}" if reason else "register changed")


@receiver(membership_changed, dispatch_uid="proxy.membership_changed")
def on_membership_changed(sender: Any, reason: str = "", **kwargs: Any) -> None:
    if not settings.PROXY_BUILD_ON_CHANGE:
        return
    # A membership change can move services of both environments.
    proxy_build_schedule(environment=None, trigger=f"membership: {reason}" if reason else "membership changed")
