"""module_utils/records: the last-applied record is stable, order-blind, and splits back into its parts."""
from ansible_collections.bandup.ecs.plugins.module_utils import records


def test_the_record_is_the_same_for_the_same_settings_in_any_key_order():
    one = records.last_applied({"a": 1, "b": [1, 2]}, "tok")
    assert one == records.last_applied({"b": [1, 2], "a": 1}, "tok")
    spec_part, token_part = records.record_parts(one)
    assert len(spec_part) == 12 and len(token_part) == 8


def test_a_change_of_the_settings_or_the_token_changes_its_part_only():
    base = records.record_parts(records.last_applied({"a": 1}, "tok"))
    other_spec = records.record_parts(records.last_applied({"a": 2}, "tok"))
    other_token = records.record_parts(records.last_applied({"a": 1}, "tok2"))
    assert other_spec[0] != base[0] and other_spec[1] == base[1]
    assert other_token[0] == base[0] and other_token[1] != base[1]


def test_no_token_and_no_record():
    assert records.last_applied({"a": 1}).endswith(".-")
    assert records.record_parts(None) == (None, None)
    assert records.record_parts("") == (None, None)
