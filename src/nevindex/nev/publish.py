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

__all__ = ["current_labels", "demo_label", "demo_labels", "publish_demo_editions", "shipped_data_sha256"]


def demo_label(year: int, version: str | None = None) -> str:
    """``nev-<year>`` for the current methodology, ``nev-<year>-v<version>`` for an earlier one."""
    from nevindex.nev.edition import CURRENT

    return f"nev-{year}" if version in (None, CURRENT) else f"nev-{year}-v{version}"


def shipped_data_sha256() -> str:
    """The ``dataset_sha256`` the shipped data are stored under."""
    from nevindex.nev.data import load_nev_dataset
    from nevindex.store import codec

    ds = load_nev_dataset()
    return codec.dataset_sha256(ds, codec.observation_rows(ds))


def current_labels(store: Any, years: tuple[int, ...]) -> dict[tuple[int, str], str]:
    """The label of each demo edition (year, version) of ``store`` (see :func:`demo_labels`)."""
    from nevindex.nev.edition import METHODOLOGIES
    from nevindex.store import editions as ed

    return demo_labels({e.label: e for e in ed.list_editions(store)}, shipped_data_sha256(), years,
                       tuple(METHODOLOGIES))


def demo_labels(infos: dict[str, Any], dataset_sha256: str, years: tuple[int, ...],
                versions: tuple[str, ...]) -> dict[tuple[int, str], str]:
    """The label of each demo edition (year, methodology version) in a store whose editions are
    ``infos`` (label → EditionInfo): the edition of that year and version on the shipped data if the
    store has one, else :func:`demo_label` if free, else ``nev-<year>-v<version>`` (a store made by an
    earlier release holds ``nev-<year>`` under an earlier methodology or data: it is kept as it is)."""
    out: dict[tuple[int, str], str] = {}
    for version in versions:
        for year in years:
            held = [i.label for i in infos.values() if i.year == year and i.label.startswith(f"nev-{year}")
                    and i.methodology.split()[-1] == version and i.dataset_sha256 == dataset_sha256]
            free = [lab for lab in (demo_label(year, version), f"nev-{year}-v{version}") if lab not in infos]
            if not (held or free):
                raise NevIndexError(
                    f"the store holds editions labelled {demo_label(year, version)} and nev-{year}-v{version} that are "
                    f"not the demonstration edition of {year} under methodology {version}; published editions are "
                    "never changed, so point --db (or NEVINDEX_DB) at a new store file for the demonstration editions")
            out[(year, version)] = held[0] if held else free[0]
    return out


_REVISION = ("methodology {version} replaces the earlier version on the same data (docs/methodology.md, "
             "'What changed from 2025.1, and why'); the earlier edition stays published for comparison")
_DATA = ("the shipped data were revised since edition {old} was published (by nevindex {release}); the earlier "
         "edition stays published as it was")


def _superseded(store: Any, year: int) -> Any:
    """The store's current published demo edition of ``year`` (None if none), which a new one corrects:
    one current edition per year, the earlier ones kept for comparison."""
    from nevindex.store import editions as ed

    published = [e for e in ed.list_editions(store) if e.published and e.year == year
                 and e.label.startswith(f"nev-{year}")]
    corrected = {e.corrects for e in published}
    current = [e for e in published if e.label not in corrected]
    return max(current, key=lambda e: (e.published_at, e.id)) if current else None


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
    names = demo_labels(infos, shipped_data_sha256(), years, versions)  # before anything is stored
    data = ed.store_dataset(store, load_nev_dataset(), label="nev-brands-demo", actor=actor)
    labels = []
    for version in versions:
        for year in years:
            label = names[(year, version)]
            if label in infos:
                continue
            fw, _ = edition_framework(nev_framework(version), nev_dataset(version), year)
            earlier = _superseded(store, year) if publish else None
            reason = None
            if earlier is not None:
                reason = _REVISION.format(version=version) if earlier.dataset_sha256 == data.sha256 else \
                    _DATA.format(old=earlier.label, release=earlier.package_version or "an earlier release")
            ed.create_edition(store, year=year, methodology=fw, dataset=data.id, label=label, data_year=year,
                              corrects=earlier.label if earlier is not None else None, reason=reason, actor=actor)
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
