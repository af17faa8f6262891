"""What changed between two snapshots, for staff review (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SnapshotDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    # requester → (attributes before, attributes after)
    release_changed: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    home_organisations_changed: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.added or self.removed or self.changed or self.release_changed or self.home_organisations_changed
        )


def snapshot_diff(
    before: dict, after: dict, *, before_config: dict | None = None, after_config: dict | None = None
) -> SnapshotDiff:
    """Compare two snapshots' `index.json` documents (and optionally their config.json)."""
    old, new = before.get("services", {}), after.get("services", {})
    result = SnapshotDiff(
        added=sorted(set(new) - set(old)),
        removed=sorted(set(old) - set(new)),
    )
    for requester in sorted(set(old) & set(new)):
        if old[requester]["fingerprint"] != new[requester]["fingerprint"]:
            result.changed.append(requester)
        if old[requester]["attributes"] != new[requester]["attributes"]:
            result.release_changed[requester] = (old[requester]["attributes"], new[requester]["attributes"])
    if before_config is not None and after_config is not None:
        result.home_organisations_changed = before_config.get("home_organisations") != after_config.get(
            "home_organisations"
        )
    return result
