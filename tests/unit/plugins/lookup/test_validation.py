"""The bandup.ecs.validation lookup: it templates the variables it is given, takes the argument spec's default for a
role variable that is not defined, and checks only the selected roles' variables (and the shared ones)."""
import os

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.bandup.ecs.plugins.lookup.validation import LookupModule

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "main.yml")) as _handle:
    INVENTORY = yaml.safe_load(_handle)


def lookup(variables, roles):
    loader = DataLoader()
    variables = dict(INVENTORY, bandup_fixture_apps=os.path.join(ROOT, "tests", "fixtures", "apps"),
                     bandup_ecr_prefix="ielts-", bandup_refresh_topology=False, **variables)
    templar = Templar(loader=loader, variables=variables)
    return LookupModule(loader=loader, templar=templar).run([], variables, roles=roles)


def test_the_local_inventory_passes():
    assert lookup({}, ["network", "alb", "ecr", "image", "cluster", "task_definition", "service", "status"]) == []


def test_templated_values_are_checked_as_their_result():
    # as in an inventory: a trusted template whose result is an integer
    found = lookup({"bandup_alb_interval": 1, "alb_health_check_interval": trust_as_template("{{ bandup_alb_interval }}")},
                   ["alb"])
    assert found == ["alb_health_check_interval: 1 is outside 5-300; must be an integer 5-300 seconds"]


def test_only_the_selected_roles_and_the_shared_variables():
    variables = {"alb_health_check_interval": 1, "bandup_tags": {"aws:team": "web"}}
    assert [p.split(":")[0] for p in lookup(variables, ["ecr"])] == ["bandup_tags"]
    assert len(lookup(variables, ["ecr", "alb"])) == 2
