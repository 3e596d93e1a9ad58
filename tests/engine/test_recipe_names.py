"""One recipe vocabulary: the old names still work, warn, and mean exactly the new ones."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.errors import DeprecatedSettingWarning, RecipeError
from nevindex.framework import framework_from_mapping, load_framework
from nevindex.inputs import load_inputs
from nevindex.recipe import ALIASES, recipe_from_mapping

FRAMEWORKS = Path(__file__).resolve().parents[2] / "src" / "nevindex" / "frameworks"

OLD_AND_NEW = [
    ({"denominate": {"enabled": False}}, {"denominate": {"method": "none"}}),
    ({"denominate": {"enabled": True}}, {"denominate": {"method": "divide"}}),
    ({"screen": {"enabled": False}}, {"screen": {"method": "none"}}),
    ({"screen": {"min_coverage": 0.5}}, {"screen": {"min_observed": 0.5}}),
    ({"treat": {"enabled": True, "winmax": 3}}, {"treat": {"method": "winsorise", "winmax": 3}}),
    ({"treat": {"enabled": False}}, {"treat": {"method": "none"}}),
    ({"aggregate": {"threshold": 0.5}}, {"aggregate": {"min_present": 0.5}}),
    ({"aggregate": {"by_level": {3: {"method": "geometric", "threshold": 0.4}}}},
     {"aggregate": {"by_level": {3: {"method": "geometric", "min_present": 0.4}}}}),
    ({"aggregate": {"by_node": {"Index": {"threshold": 0.7, "min_observed": 0.2}}}},
     {"aggregate": {"by_node": {"Index": {"min_present": 0.7, "min_observed": 0.2}}}}),
]


def test_every_alias_is_tested():
    covered = {(old, new) for old_map, _ in OLD_AND_NEW for old, new in _keys(old_map)}
    assert covered >= {(a.old, a.new) for a in ALIASES}


def _keys(mapping, path=()):
    for key, value in mapping.items():
        if isinstance(value, dict):
            yield from _keys(value, (*path, key))
        elif key in ("enabled", "min_coverage", "threshold"):
            yield key, {"enabled": "method", "min_coverage": "min_observed", "threshold": "min_present"}[key]


@pytest.mark.parametrize("old,new", OLD_AND_NEW)
def test_old_names_warn_and_mean_the_new_ones(old, new):
    with pytest.warns(DeprecatedSettingWarning, match="old name"):
        upgraded = recipe_from_mapping(old, source="old.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecatedSettingWarning)
        current = recipe_from_mapping(new)
    assert upgraded == current and upgraded.sha256() == current.sha256()


def test_old_and_new_name_together_is_an_error():
    with pytest.raises(RecipeError, match="give only 'treat.method'"):
        recipe_from_mapping({"treat": {"enabled": True, "method": "none"}})
    with pytest.raises(RecipeError, match="true or false"):
        recipe_from_mapping({"treat": {"enabled": "yes"}})


def test_old_addresses_in_what_if_and_uncertainty_settings():
    base = recipe_from_mapping({})
    with pytest.warns(DeprecatedSettingWarning):
        on = base.with_setting("treat.enabled", True)
    assert on.treat.method == "winsorise"
    with pytest.warns(DeprecatedSettingWarning):
        assert on.get("treat.enabled") is True and base.get("treat.enabled") is False
    with pytest.warns(DeprecatedSettingWarning):
        assert base.with_setting("aggregate.by_node.P1.threshold", 0.3).aggregate.by_node["P1"].min_present == 0.3


def test_indicator_params_old_switch(tmp_path, tiny_framework):
    data = tiny_framework().model_dump(mode="json", exclude_defaults=True)
    data["indicators"][0]["params"] = {"treat": {"enabled": False}}
    with pytest.warns(DeprecatedSettingWarning, match="indicator 'a'"):
        fw = framework_from_mapping(data, source="fw.yaml")
    assert fw.indicators[0].params["treat"] == {"method": "none"}


def test_year_is_an_argument_of_build_and_an_old_recipe_setting(asem_dir):
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    ds = load_dataset(asem_dir / "ASEM_iData_p.csv")
    assert build(fw, ds).year == 2022 and build(fw, ds, year=2019).year == 2019
    with pytest.warns(DeprecatedSettingWarning, match="'year' in a recipe"):
        old = recipe_from_mapping({"year": 2019})
    assert build(fw, ds, old).year == 2019 and build(fw, ds, old, year=2020).year == 2020
    assert old.sha256() == recipe_from_mapping({}).sha256()  # the year is not a method choice
    assert "year" not in old.to_yaml()
    assert load_inputs(fw, ds, year=2018).year == 2018


def test_shipped_methodologies_use_the_current_names(tmp_path):
    """A methodology written with old names must be updated before it ships."""
    files = sorted(FRAMEWORKS.glob("*.yaml"))
    assert files
    for path in files:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecatedSettingWarning)
            load_framework(path)


@pytest.mark.slow  # end to end: the command as a process
def test_cli_users_see_the_warning(tmp_path, tiny_framework, tiny_csv, write):
    fw = tmp_path / "fw.yaml"
    fw.write_text(tiny_framework().to_yaml(), encoding="utf-8")
    data = write(tmp_path, "d.csv", tiny_csv)
    (tmp_path / "r.yaml").write_text("screen: {min_coverage: 0.5}\n", encoding="utf-8")
    cmd = [sys.executable, "-c", "from nevindex.cli import run; run()", "build", "--framework", str(fw),
           "--data", str(data), "--recipe", str(tmp_path / "r.yaml"), "--out", str(tmp_path / "out")]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": ""}, check=False)
    assert done.returncode == 0, done.stderr
    assert "r.yaml" in done.stderr and "screen.min_observed" in done.stderr
    assert (tmp_path / "out" / "results.csv").exists()
