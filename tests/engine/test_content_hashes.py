"""The methodology and recipe hashes cover what the author gave, computed by hand here: a JSON dump of
the mapping with sorted keys. A release that adds a setting (a model field with a default) must not
change them; before, they hashed the model's dump, which grows a key with every new setting."""

from __future__ import annotations

import hashlib
import json
import warnings

import pytest
import yaml

from nevindex.errors import DeprecatedSettingWarning
from nevindex.framework import framework_from_mapping, framework_from_yaml
from nevindex.recipe import recipe_from_mapping


def _by_hand(mapping: dict, *, ascii_only: bool) -> str:
    text = json.dumps(mapping, sort_keys=True, ensure_ascii=ascii_only)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_methodology_hash_is_the_hash_of_the_authors_mapping(tiny_yaml):
    assert framework_from_yaml(tiny_yaml).sha256() == _by_hand(yaml.safe_load(tiny_yaml), ascii_only=False)


def test_methodology_hash_ignores_the_models_defaults(tiny_yaml):
    """Writing a setting at its default value is a different text, but leaving it out must not depend
    on what the defaults are: the hash of a file without 'recipe' does not mention the recipe."""
    data = yaml.safe_load(tiny_yaml)
    data.pop("recipe", None)
    fw = framework_from_mapping(data)
    dumped = json.dumps(fw.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    assert fw.sha256() == _by_hand(data, ascii_only=False)
    assert fw.sha256() != hashlib.sha256(dumped.encode()).hexdigest()  # the old, model-bound definition


def test_old_setting_names_keep_their_hash_and_read_as_the_new(tiny_yaml):
    data = yaml.safe_load(tiny_yaml)
    old = {**data, "recipe": {"treat": {"enabled": True}}}
    new = {**data, "recipe": {"treat": {"method": "winsorise"}}}
    with pytest.warns(DeprecatedSettingWarning):
        fw_old = framework_from_mapping(old)
    fw_new = framework_from_mapping(new)
    assert fw_old == fw_new  # the same methodology to the engine
    assert fw_old.sha256() == _by_hand(old, ascii_only=False) != fw_new.sha256()  # what each author wrote


def test_quiet_reading_of_old_names_warns_nothing(tiny_yaml):
    data = {**yaml.safe_load(tiny_yaml), "recipe": {"treat": {"enabled": True}, "aggregate": {"threshold": 0.5}}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fw = framework_from_mapping(data, quiet=True)
        rc = recipe_from_mapping({"screen": {"enabled": False}, "year": 2020}, quiet=True)
    assert fw.recipe.treat.method == "winsorise" and fw.recipe.aggregate.min_present == 0.5
    assert rc.screen.method == "none" and rc.year == 2020


def test_a_changed_copy_is_not_the_mapping_it_was_read_from(tiny_yaml):
    fw = framework_from_yaml(tiny_yaml)
    changed = fw.model_copy(update={"ratings": ()})
    assert changed.sha256() == _by_hand(changed.model_dump(mode="json", exclude_defaults=True), ascii_only=False)
    assert fw.model_copy().sha256() == fw.sha256()


def test_recipe_hash_is_the_hash_of_its_settings():
    rc = recipe_from_mapping({"normalise": {"method": "zscore"}})
    assert rc.sha256() == _by_hand(rc.model_dump(mode="json"), ascii_only=True)
