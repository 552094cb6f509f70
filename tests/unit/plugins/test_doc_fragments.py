"""Doc fragments written twice for two nesting levels say the same, and match the argument spec they document."""
import yaml

from ansible_collections.bandup.ecs.plugins.doc_fragments.task_roles import ModuleDocFragment
from ansible_collections.bandup.ecs.plugins.module_utils.task_roles import ARGUMENT_SPEC


def spec_of(options):
    """The argument spec a documentation ``options`` mapping describes (type, elements, required, default)."""
    out = {}
    for name, doc in options.items():
        entry = {k: doc[k] for k in ("type", "elements", "required", "default", "aliases") if k in doc}
        if "suboptions" in doc:
            entry["options"] = spec_of(doc["suboptions"])
        out[name] = entry
    return out


def spec_keys(spec):
    out = {}
    for name, entry in spec.items():
        item = {k: entry[k] for k in ("type", "elements", "required", "default", "aliases") if k in entry}
        if "options" in entry:
            item["options"] = spec_keys(entry["options"])
        out[name] = item
    return out


def test_task_roles_fragment_is_the_same_at_both_levels_and_matches_the_spec():
    top = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    nested = yaml.safe_load(ModuleDocFragment.OPTION)["options"]["task_roles"]
    assert nested["type"] == "dict"
    assert nested["suboptions"] == top
    assert spec_of(top) == spec_keys(ARGUMENT_SPEC)
