"""module_utils/tags.converge_tags: amazon.aws's compare_aws_tags, the writes through the ChangeSet."""
import pytest

from ansible_collections.bandup.ecs.plugins.module_utils.changes import ChangeSet
from ansible_collections.bandup.ecs.plugins.module_utils.tags import converge_tags

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
