"""Doc fragments written twice for two nesting levels say the same, and match the argument spec they document."""
import yaml

from ansible_collections.bandup.ecs.plugins.doc_fragments.task_roles import ModuleDocFragment
from ansible_collections.bandup.ecs.plugins.module_utils.task_roles import ARGUMENT_SPEC

KEYS = ("type", "elements", "required", "default", "aliases")


def shape(options, nested):
    """type, elements, required, default, aliases of each option, recursively through ``nested`` (``suboptions``
    in documentation, ``options`` in an argument spec)."""
    return {name: dict({k: entry[k] for k in KEYS if k in entry},
                       **({"options": shape(entry[nested], nested)} if nested in entry else {}))
            for name, entry in options.items()}


def test_task_roles_fragment_is_the_same_at_both_levels_and_matches_the_spec():
    top = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    nested = yaml.safe_load(ModuleDocFragment.OPTION)["options"]["task_roles"]
    assert nested["type"] == "dict"
    assert nested["suboptions"] == top
    assert shape(top, "suboptions") == shape(ARGUMENT_SPEC, "options")
