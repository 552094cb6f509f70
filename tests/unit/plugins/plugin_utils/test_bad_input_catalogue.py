"""Every case of the hand-written bad-input catalogue (tests/support/bad_input.py) through the validation code the
validation play runs, in its order: the constraint table (bandup.ecs.validation), then the topology filter. Cheap, so
every case runs here; tests/integration/test_bad_input.py runs a sample through site.yml on an existing deployment."""
import copy
import json
import os
import sys

import pytest

from ansible_collections.bandup.ecs.plugins.plugin_utils.role_specs import known_regions, load_specs
from ansible_collections.bandup.ecs.plugins.plugin_utils.constraints import problems
from ansible_collections.bandup.ecs.plugins.module_utils.topology import TopologyError, build_topology

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, ROOT)
from tests.support.bad_input import CASES, INVENTORY, SITE_SAMPLE  # noqa: E402  pylint: disable=wrong-import-position

SPECS = load_specs(os.path.join(ROOT, "roles"))
ROLES = [role for role in SPECS if role != "bandup"]
APPS = os.path.join(ROOT, "tests", "fixtures", "apps")
REGIONS = known_regions()
REGION_AZS = [f"us-east-1{letter}" for letter in "abcdef"]


def inventory(extra_vars):
    """The local inventory with the extra vars on top, templated as the play would ({{ bandup_fixture_apps }})."""
    values = dict(copy.deepcopy(INVENTORY), bandup_ecr_prefix="ielts-", bandup_refresh_topology=False)
    values.update(copy.deepcopy(extra_vars))
    text = json.dumps(values).replace("{{ bandup_fixture_apps }}", APPS)
    return json.loads(text)


def validate(values):
    found = problems(SPECS, values, ROLES, regions=REGIONS)
    if found:
        return found
    try:
        build_topology(values["bandup_name"], values["bandup_region"], values["bandup_active_az"],
                       values["bandup_standby_az"], values["bandup_services"], ecr_prefix=values["bandup_ecr_prefix"],
                       tags=values["bandup_tags"], azs_in_region=REGION_AZS)
    except TopologyError as err:
        return [str(err)]
    return []


def test_the_local_inventory_passes():
    assert validate(inventory({})) == []


def test_catalogue_is_large_and_distinct():
    assert len(CASES) >= 100
    assert len({c[0] for c in CASES}) == len(CASES)
    assert set(SITE_SAMPLE) <= {c[0] for c in CASES}


@pytest.mark.parametrize("extra_vars,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_naming_the_variable(extra_vars, expected):
    found = validate(inventory(extra_vars))
    assert any(expected in problem for problem in found), found
