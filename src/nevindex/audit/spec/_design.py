"""Factors resolved into recipe settings, weight noise into node groups, and the runs they make."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nevindex.audit.spec._spec import Factor, UncertaintySpec, WeightNoise
from nevindex.errors import DeprecatedSettingWarning, NevIndexError, RecipeError
from nevindex.framework import Framework
from nevindex.recipe import Recipe, current_name
from nevindex.validation import nearest


def _params_address(address: str) -> str | None:
    """The ``params`` sibling of a ``*.method`` address that has one (normalise, aggregate…)."""
    parts = address.split(".")
    if parts[-1] != "method":
        return None
    head = parts[:-1]
    if head in (["normalise"], ["aggregate"]) or (len(head) == 3 and head[0] == "aggregate"
                                                  and head[1] in ("by_level", "by_node")):
        return ".".join([*head, "params"])
    return None


def _nominal(recipe: Recipe, address: str) -> Any:
    try:
        return recipe.get(".".join(current_name(address.split("."))[0]))
    except NevIndexError:
        return _MISSING


def _current_names(settings: dict[str, Any], source: str) -> tuple[dict[str, Any], list[str]]:
    """Settings under the current names (old ones translated quietly), and the old addresses met."""
    out, old = {}, []
    for address, value in settings.items():
        parts, value, was_old = current_name(address.split("."), value, source=source)
        out[".".join(parts)] = value
        if was_old:
            old.append(f"'{address}' is now '{'.'.join(parts)}'")
    return out, old


_MISSING = object()


@dataclass(frozen=True)
class ResolvedFactor:
    """A categorical factor with each alternative turned into recipe settings."""

    name: str
    address: str
    labels: tuple[str, ...]
    settings: tuple[dict[str, Any], ...]
    #: The alternatives' values as written (in design tables, under ``address``).
    values: tuple[Any, ...] = ()

    @property
    def k(self) -> int:
        return len(self.labels)


def resolve_factor(factor: Factor, recipe: Recipe, *, source: str = "<spec>", index: int = 0) -> ResolvedFactor:
    """Turn alternatives into settings and check each one by applying it to the nominal recipe.

    A ``*.method`` alternative without ``params`` keeps the nominal params when it names the
    nominal method, and otherwise resets them to ``{}`` (params are method-specific).
    """
    settings_list = []
    renamed: list[str] = []
    nominal_method = _nominal(recipe, factor.address)
    params_addr = _params_address(factor.address)
    for alt in factor.alternatives:
        settings: dict[str, Any] = {factor.address: alt.value}
        if params_addr is not None:
            if alt.params is not None:
                settings[params_addr] = dict(alt.params)
            elif alt.value != nominal_method:
                settings[params_addr] = {}
        elif alt.params is not None:
            raise RecipeError(f"factor '{factor.label}': 'params' only applies to a '*.method' address "
                              "with parameters (normalise, aggregate)", file=source,
                              column=f"factors.{index}.alternatives")
        settings.update(alt.settings)
        settings, old = _current_names(settings, source)
        renamed += [o for o in old if o not in renamed]
        try:
            recipe.with_settings(settings)
        except RecipeError as exc:
            raise RecipeError(f"factor '{factor.label}', alternative '{alt.name}': {exc.message}", file=source,
                              column=f"factors.{index}") from None
        settings_list.append(settings)
    if renamed:
        warnings.warn(f"{source}: factor '{factor.label}' uses old setting names: {'; '.join(renamed)} "
                      "(the old names still work for now)", DeprecatedSettingWarning, stacklevel=2)
    return ResolvedFactor(factor.label, factor.address, tuple(a.name for a in factor.alternatives),
                          tuple(settings_list), tuple(a.value for a in factor.alternatives))


@dataclass(frozen=True)
class NoiseGroup:
    name: str
    f: float
    nodes: tuple[str, ...]


def weight_nodes(framework: Framework) -> tuple[str, ...]:
    """Every node that has a weight within a parent (all but the root), in tree order."""
    return tuple(c for c in (*framework.indicator_codes, *framework.aggregate_codes) if c != framework.root)


def resolve_noise(entries: tuple[WeightNoise, ...], framework: Framework, *, source: str = "<spec>") -> list[NoiseGroup]:
    nodes = weight_nodes(framework)
    taken: dict[str, str] = {}
    groups = []
    for i, entry in enumerate(entries):
        where = f"weight_noise.{i}"
        if entry.level is not None:
            members = tuple(c for c in nodes if framework.levels[c] == entry.level)
            if not members:
                levels = sorted({framework.levels[c] for c in nodes})
                raise RecipeError(f"weight noise: no weighted node at level {entry.level}", file=source, column=where,
                                  hint=f"levels with weights: {', '.join(map(str, levels))}")
        elif entry.parent is not None:
            if entry.parent not in framework.children:
                hint = nearest(entry.parent, framework.children)
                raise RecipeError(f"weight noise: '{entry.parent}' is not an aggregate of the framework",
                                  file=source, column=where, hint=f"did you mean '{hint}'?" if hint else None)
            members = framework.children[entry.parent]
        else:
            members = tuple(entry.nodes or ())
            for code in members:
                if code not in nodes:
                    hint = nearest(code, nodes)
                    raise RecipeError(f"weight noise: '{code}' is not a weighted node of the framework",
                                      file=source, column=where, hint=f"did you mean '{hint}'?" if hint else None)
            if not members:
                raise RecipeError("weight noise: empty 'nodes' list", file=source, column=where)
        for code in members:
            if code in taken:
                raise RecipeError(f"weight noise: the weight of '{code}' is perturbed twice "
                                  f"('{taken[code]}' and '{entry.label}')", file=source, column=where)
            taken[code] = entry.label
        groups.append(NoiseGroup(entry.label, entry.f, members))
    return groups


@dataclass(frozen=True)
class SamplingVariable:
    """The survey-sampling factor: one unit-cube variable choosing one of ``replicates`` equally
    likely bootstrap replicates (replicate ⌊u·B⌋), so Monte Carlo and Sobol' treat it like any factor."""

    name: str
    replicates: int


# --- the design ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """Every run of an analysis: an alternative per factor and the weights to use.

    ``choices[r, j]`` indexes ``factors[j].labels``. The weight of node ``nodes[k]`` in run r is
    ``absolute[r, k]`` where that is not NaN (replayed weight sets), else the weight the run's
    recipe resolves to times ``multipliers[r, k]`` (sampled noise). With the survey-sampling factor,
    ``replicate[r]`` is the bootstrap replicate of the respondents that run r uses.
    """

    factors: tuple[ResolvedFactor, ...]
    nodes: tuple[str, ...]
    choices: NDArray[np.intp]
    multipliers: NDArray[np.float64]
    absolute: NDArray[np.float64]
    weight_set_ids: tuple[str | None, ...] | None = None
    replicate: NDArray[np.intp] | None = None

    @property
    def runs(self) -> int:
        return int(self.choices.shape[0])

    def settings(self, combo: tuple[int, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for factor, a in zip(self.factors, combo, strict=True):
            out.update(factor.settings[a])
        return out

    def subset(self, rows: NDArray[np.intp] | slice) -> Design:
        ids = None if self.weight_set_ids is None else tuple(np.asarray(self.weight_set_ids, dtype=object)[rows])
        rep = None if self.replicate is None else self.replicate[rows]
        return Design(self.factors, self.nodes, self.choices[rows], self.multipliers[rows], self.absolute[rows], ids,
                      rep)


@dataclass(frozen=True)
class Variables:
    """The unit-cube inputs of a sampled design: one per factor, one per perturbed node weight.

    ``groups[v]`` names the factor each variable belongs to: a weight-noise entry is one factor
    made of one variable per node (SALib groups), so sensitivity indices are per entry. The
    survey-sampling factor, when declared, is the last variable.
    """

    factors: tuple[ResolvedFactor, ...]
    noise: tuple[NoiseGroup, ...]
    nodes: tuple[str, ...]
    sampling: SamplingVariable | None = None

    @property
    def _sampling(self) -> list[str]:
        return [self.sampling.name] if self.sampling is not None else []

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors] + [f"{g.name}:{n}" for g in self.noise for n in g.nodes] + self._sampling

    @property
    def groups(self) -> list[str]:
        return [f.name for f in self.factors] + [g.name for g in self.noise for _ in g.nodes] + self._sampling

    @property
    def factor_names(self) -> list[str]:
        return [f.name for f in self.factors] + [g.name for g in self.noise] + self._sampling

    @property
    def count(self) -> int:
        return len(self.factors) + sum(len(g.nodes) for g in self.noise) + len(self._sampling)

    def design(self, u: NDArray[np.float64]) -> Design:
        """Map unit-cube samples to runs. A categorical factor with k alternatives splits [0, 1)
        into k equal bins (alternative ⌊u·k⌋); a noise variable gives the multiplier 1 + f(2u − 1);
        the sampling variable picks replicate ⌊u·B⌋."""
        u = np.asarray(u, dtype=np.float64).reshape(-1, self.count)
        runs = u.shape[0]
        choices = np.empty((runs, len(self.factors)), dtype=np.intp)
        for j, factor in enumerate(self.factors):
            choices[:, j] = np.clip(np.floor(u[:, j] * factor.k), 0, factor.k - 1).astype(np.intp)
        mult = np.ones((runs, len(self.nodes)))
        col = len(self.factors)
        index = {n: k for k, n in enumerate(self.nodes)}
        for g in self.noise:
            for node in g.nodes:
                mult[:, index[node]] = 1.0 + g.f * (2.0 * u[:, col] - 1.0)
                col += 1
        replicate = None
        if self.sampling is not None:
            b = self.sampling.replicates
            replicate = np.clip(np.floor(u[:, col] * b), 0, b - 1).astype(np.intp)
        return Design(self.factors, self.nodes, choices, mult, np.full_like(mult, np.nan), replicate=replicate)


def resolve_variables(spec: UncertaintySpec, framework: Framework, recipe: Recipe, *,
                      source: str = "<spec>") -> Variables:
    factors = tuple(resolve_factor(f, recipe, source=source, index=i) for i, f in enumerate(spec.factors))
    noise = tuple(resolve_noise(spec.weight_noise, framework, source=source))
    sampling = spec.survey_sampling
    variable = SamplingVariable(sampling.label, sampling.replicates) if sampling is not None else None
    return Variables(factors, noise, weight_nodes(framework), variable)


def sampled_design(variables: Variables, runs: int, seed: int) -> Design:
    """Monte Carlo design: every variable drawn U[0, 1) from a seeded generator."""
    rng = np.random.default_rng(seed)
    return variables.design(rng.random((runs, variables.count)))
