"""How a decision taken above this app holds an agreement version (DESIGN section 3 item 5).

After the first version, the agreement changes only by a steering-group decision. The steering
group lives above `contracts` (DESIGN section 6), so `contracts` cannot look its proposals up;
instead the steering app registers one lookup here when it loads, and the agreement's services
and pages ask it whether a version is held and why.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contracts.models import AgreementVersion


class DecisionStage(enum.StrEnum):
    """Where the decision about a version stands."""

    PROPOSED = "proposed"  # proposed, voting not yet open: the draft may still be corrected
    VOTING = "voting"  # open for voting: the text voted on must not change
    PASSED = "passed"  # decided for the change: the decision publishes the version
    REJECTED = "rejected"  # decided against it: the version is never published


@dataclass(frozen=True)
class VersionDecision:
    """The decision a version is the subject of, as the agreement's pages show it."""

    stage: DecisionStage
    title: str
    url: str  # the decision's page for operator staff

    @property
    def text_is_frozen(self) -> bool:
        return self.stage != DecisionStage.PROPOSED


# (version, lock) → the decision the version is the subject of, or None. With `lock`, the lookup
# locks the decision's row, so a vote cannot open while the version is being edited.
DecisionLookup = Callable[["AgreementVersion", bool], VersionDecision | None]
_lookup: DecisionLookup | None = None


def decision_lookup_register(lookup: DecisionLookup) -> None:
    """Called once by the app that takes the decisions (the steering group)."""
    global _lookup
    _lookup = lookup


def version_decision(version: AgreementVersion, *, lock: bool = False) -> VersionDecision | None:
    """The decision `version` is the subject of, or None (also when no decision-making app is installed)."""
    if _lookup is None or version.pk is None:
        return None
    return _lookup(version, lock)
