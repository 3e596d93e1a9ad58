"""Put the shipped NEV demonstration editions into a store (``nevindex demo``, ``nevindex serve
--demo``, the benchmarks): import the data, then create, build, audit and publish one edition per
year and methodology version.

The current methodology's editions are labelled ``nev-<year>``; every earlier shipped version is
kept beside them as ``nev-<year>-v<version>`` (built on the same data), so that ``nevindex edition
compare nev-2024-v2025.1 nev-2024`` shows what the change of methodology did to each brand. Earlier
versions are published first, and a later version's edition is published as the store's correction
of the earlier one (with the reason), so each year has one current edition — the current
methodology's — and the earlier one stays published for comparison.
Each year's methodology is the shipped one without the indicators that year cannot score (the NEV
package's ``edition_framework``), exactly as the demonstration editions are built. Besides the
audit's own tables, each edition stores the coherence table of its rated brands
(``nevindex.nev.coherence``).
"""

from __future__ import annotations

from typing import Any

from nevindex.audit.spec import default_spec
from nevindex.errors import NevIndexError

__all__ = ["demo_label", "publish_demo_editions"]


def demo_label(year: int, version: str | None = None) -> str:
    """``nev-<year>`` for the current methodology, ``nev-<year>-v<version>`` for an earlier one."""
    from nevindex.nev.edition import CURRENT

    return f"nev-{year}" if version in (None, CURRENT) else f"nev-{year}-v{version}"


def _check_existing(existing: dict[str, str], wanted: dict[str, str], where: str) -> None:
    """Refuse a store whose demo label holds another methodology version (an older nevindex's demo)."""
    for label, version in wanted.items():
        held = existing.get(label)
        if held is not None and held != version:
            raise NevIndexError(
                f"the store {where} holds edition '{label}' built with methodology {held}, but this nevindex "
                f"publishes it with methodology {version}; published editions are never changed, so point --db "
                "(or NEVINDEX_DB) at a new store file for the demonstration editions")


_REVISION = ("methodology {version} replaces the earlier version on the same data (docs/methodology.md, "
             "'What changed from 2025.1, and why'); the earlier edition stays published for comparison")


def _superseded(store: Any, year: int, version: str, versions: tuple[str, ...]) -> str | None:
    """The published edition of ``year`` under the version before ``version``, which the new edition
    supersedes: one current edition per year for the store, the earlier one kept for comparison."""
    from nevindex.store import editions as ed

    earlier = list(versions)[: list(versions).index(version)]
    published = {e.label for e in ed.list_editions(store) if e.published}
    return next((demo_label(year, v) for v in reversed(earlier) if demo_label(year, v) in published), None)


def publish_demo_editions(store: Any, *, years: tuple[int, ...] | None = None, publish: bool = True,
                          actor: str = "demo", versions: tuple[str, ...] | None = None) -> list[str]:
    """Create (and publish) the demo editions that are not in the store yet; return their labels.
    ``versions``: the methodology versions to publish (default: every shipped one, oldest first)."""
    from nevindex.nev.coherence import TABLE, rated_coherence
    from nevindex.nev.coverage import CoverageRules, coverage_table
    from nevindex.nev.data import load_nev_dataset
    from nevindex.nev.edition import EDITIONS, METHODOLOGIES, edition_framework, nev_dataset, nev_framework
    from nevindex.store import editions as ed
    from nevindex.workflows import audit_edition

    years = years or EDITIONS
    versions = versions or tuple(METHODOLOGIES)
    infos = {e.label: e for e in ed.list_editions(store)}
    wanted = {demo_label(y, v): v for v in versions for y in years}
    _check_existing({label: info.methodology.split()[-1] for label, info in infos.items()}, wanted,
                    getattr(store, "safe_url", ""))
    data = ed.store_dataset(store, load_nev_dataset(), label="nev-brands-demo", actor=actor)
    labels = []
    for version in versions:
        for year in years:
            label = demo_label(year, version)
            if label in infos:
                continue
            fw, _ = edition_framework(nev_framework(version), nev_dataset(version), year)
            superseded = _superseded(store, year, version, versions) if publish else None
            ed.create_edition(store, year=year, methodology=fw, dataset=data.id, label=label, data_year=year,
                              corrects=superseded, reason=_REVISION.format(version=version) if superseded else None,
                              actor=actor)
            ed.build_edition(store, label, actor=actor)
            outcome, _ = audit_edition(store, label, default_spec(fw), actor=actor)  # rank intervals
            result = outcome.result
            table = coverage_table(result, CoverageRules.from_framework(result.framework))
            ed.store_audit(store, label, {TABLE: rated_coherence(result, table)}, actor=actor)
            if publish:
                ed.publish(store, label, actor=actor)
            labels.append(label)
    if not labels and not infos:
        raise NevIndexError("no demonstration edition was created")
    return labels
