"""Doc fragments written twice for two nesting levels say the same, and match the argument spec they document."""
import yaml

from ansible_collections.bandup.ecs.plugins.doc_fragments.task_roles import ModuleDocFragment
from ansible_collections.bandup.ecs.plugins.module_utils._ecs.task_roles import ARGUMENT_SPEC

KEYS = ("type", "elements", "required", "default", "aliases")


def shape(options, nested):
    """type, elements, required, default, aliases of each option, recursively through ``nested`` (``suboptions``
    in documentation, ``options`` in an argument spec)."""
    # A dict default is compared by its presence only: ansible's argument validation fills the spec's own default
    # dict with the suboptions' defaults (in place), so after a module ran in this process it is no longer {}.
    return {name: dict({k: ({} if k == "default" and isinstance(entry[k], dict) else entry[k])
                        for k in KEYS if k in entry},
                       **({"options": shape(entry[nested], nested)} if nested in entry else {}))
            for name, entry in options.items()}


def test_task_roles_fragment_is_the_same_at_both_levels_and_matches_the_spec():
    top = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    nested = yaml.safe_load(ModuleDocFragment.OPTION)["options"]["task_roles"]
    assert nested["type"] == "dict"
    assert nested["suboptions"] == top
    assert shape(top, "suboptions") == shape(ARGUMENT_SPEC, "options")


def test_ecs_service_fragments_say_the_same_at_every_level_and_match_the_specs():
    from ansible_collections.bandup.ecs.plugins.doc_fragments.ecs_service import ModuleDocFragment as Service
    from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_scaling import SCALING_OPTIONS
    from ansible_collections.bandup.ecs.plugins.module_utils._ecs.ecs_service import SERVICE_OPTIONS
    from ansible_collections.bandup.ecs.plugins.module_utils._ecs.service_batch import ENTRY_OPTIONS

    top = yaml.safe_load(Service.DOCUMENTATION)["options"]
    scaling = yaml.safe_load(Service.SCALING)["options"]
    entries = yaml.safe_load(Service.ENTRIES)["options"]
    entry = entries["services"]["suboptions"]
    assert entries["apps"]["suboptions"]["active"]["suboptions"] == entry
    assert entries["apps"]["suboptions"]["standby"]["suboptions"] == entry
    assert entry["autoscaling"]["suboptions"] == scaling
    for name, option in top.items():
        required = name in ("task_definition", "availability_zone", "network")
        assert entry[name] == (dict(option, required=True) if required else option), name
    assert shape(top, "suboptions") == shape(SERVICE_OPTIONS, "options")
    assert shape(scaling, "suboptions") == shape(SCALING_OPTIONS, "options")
    assert shape(entry, "suboptions") == shape(ENTRY_OPTIONS, "options")
