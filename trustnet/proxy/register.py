"""The one seam between the register and the proxy: what is approved and in force on a day.

`collect_inputs` is looked up through the `PROXY_COLLECT_INPUTS` setting, so tests (and the
demo) can supply inputs without the domain apps. The rules it must follow (DESIGN sections 2,
3 and 5, issue 6):

- services: approved state only (a pending draft never appears), of the given environment,
  whose provider's service-provider membership is in force on `on` (a member under notice
  stays until its end date and is gone on it);
- home organisations: membership in force on `on`, with their login sources, schools and
  allowed services (None = all);
- attribute names and claims come from `members/attributes.py` (DESIGN section 4).
"""

from __future__ import annotations

import datetime

from trustnet.proxy.inputs import ProxyInputs


def collect_inputs(*, environment: str, on: datetime.date) -> ProxyInputs:
    """Everything the proxy configuration of `environment` is built from, as on `on`.

    Until the members and contracts selectors are merged this returns an empty register; the
    lead implements it against `members.selectors` and `contracts.selectors` at merge.
    """
    return ProxyInputs(environment=environment, on=on)
