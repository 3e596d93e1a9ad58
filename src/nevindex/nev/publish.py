"""Put the shipped NEV demonstration editions into a store (``nevindex demo``, ``nevindex serve
--demo``, the benchmarks): import the data, then create, build, audit and publish one edition per year.

Each year's methodology is the shipped one without the indicators that have no observation in
that year (the NEV package's ``edition_framework``), exactly as the demonstration editions are built.
"""

from __future__ import annotations

from typing import Any

from nevindex.audit.spec import default_spec
from nevindex.errors import NevIndexError

__all__ = ["publish_demo_editions"]


def publish_demo_editions(store: Any, *, years: tuple[int, ...] | None = None, publish: bool = True,
                          actor: str = "demo") -> list[str]:
    """Create (and publish) the demo editions that are not in the store yet; return their labels."""
    from nevindex.nev.data import load_nev_dataset
    from nevindex.nev.edition import EDITIONS, edition_framework, nev_dataset, nev_framework
    from nevindex.store import editions as ed
    from nevindex.workflows import audit_edition

    years = years or EDITIONS
    existing = {e.label for e in ed.list_editions(store)}
    data = ed.store_dataset(store, load_nev_dataset(), label="nev-brands-demo", actor=actor)
    labels = []
    for year in years:
        label = f"nev-{year}"
        if label in existing:
            continue
        fw, _ = edition_framework(nev_framework(), nev_dataset(), year)
        ed.create_edition(store, year=year, methodology=fw, dataset=data.id, label=label, data_year=year, actor=actor)
        ed.build_edition(store, label, actor=actor)
        audit_edition(store, label, default_spec(fw), actor=actor)  # rank intervals for every ranking
        if publish:
            ed.publish(store, label, actor=actor)
        labels.append(label)
    if not labels and not existing:
        raise NevIndexError("no demonstration edition was created")
    return labels
