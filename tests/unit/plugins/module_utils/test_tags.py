"""module_utils/tags: converge_tags (amazon.aws's compare_aws_tags, the writes through the ChangeSet), write_tags, and
that no other code writes a resource's tags."""
import pytest

from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils import tags as tags_module
from ansible_collections.bandup.ecs.plugins.module_utils.tags import converge_tags, write_tags

LIVE = {"a": "1", "b": "2", "kept": "x"}


def test_set_and_purge_except_the_kept_keys():
    sent = []
    changes = ChangeSet()
    after = converge_tags(changes, "cluster c", LIVE, {"a": "1", "b": "3"}, True,
                          lambda tags: sent.append(("tag", tags)), lambda keys: sent.append(("untag", keys)),
                          keep=["kept"])
    assert sent == [("tag", {"b": "3"})]
    assert after == {"a": "1", "b": "3", "kept": "x"}
    assert changes.changes == [{"resource": "cluster c", "action": "tag", "fields": ["b"]}]
    after = converge_tags(changes, "cluster c", LIVE, {"a": "1"}, True, pytest.fail, lambda keys: sent.append(keys))
    assert sent[-1] == ["b", "kept"] and after == {"a": "1"}


def test_unmanaged_unchanged_and_check_mode_send_nothing():
    changes = ChangeSet(check_mode=True)
    assert converge_tags(changes, "namespace n", LIVE, None, True, pytest.fail, pytest.fail) == LIVE
    assert converge_tags(changes, "namespace n", LIVE, dict(LIVE), True, pytest.fail, pytest.fail) == LIVE
    assert not changes.changed
    assert converge_tags(changes, "namespace n", LIVE, {"c": "4"}, False, pytest.fail, pytest.fail) == dict(LIVE, c="4")
    assert changes.changes == [{"resource": "namespace n", "action": "tag", "fields": ["c"]}]


def test_write_tags_sends_what_it_is_given_in_the_order_asked():
    sent = []
    changes = ChangeSet()
    write_tags(changes, "service s", {"b": "3"}, ["old"], lambda tags: sent.append(("tag", tags)),
               lambda keys: sent.append(("untag", keys)), untag_first=True)
    assert sent == [("untag", ["old"]), ("tag", {"b": "3"})]
    assert [c["action"] for c in changes.changes] == ["untag", "tag"]
    write_tags(changes, "service s", {}, [], pytest.fail, pytest.fail)
    assert len(changes.changes) == 2


def test_add_only_needs_no_untag():
    changes = ChangeSet()
    sent = []
    after = converge_tags(changes, "role r", LIVE, {"a": "9"}, False, sent.append)
    assert sent == [{"a": "9"}] and after == dict(LIVE, a="9")


def test_resource_tags_are_written_only_here():
    """Every tag or untag of a resource goes through converge_tags/write_tags (tags.py); images.py's "tag" is an
    image tag in a registry, and ecr.py plans its writes (the record after the policies) as data."""
    import ast
    import pathlib
    root = pathlib.Path(tags_module.__file__).parent
    found = []
    for path in sorted(root.glob("*.py")):
        if path.name in ("tags.py", "images.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "write" \
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) \
                    and node.args[1].value in ("tag", "untag"):
                found.append(f"{path.name}:{node.lineno}")
    assert not found
