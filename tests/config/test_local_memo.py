"""config.cache.LocalMemo: a few seconds' memory in the process, dropped at once on change."""

from __future__ import annotations

import time

import pytest

from config.cache import LocalMemo

pytestmark = pytest.mark.without_services


def test_an_answer_is_remembered_for_its_seconds_then_forgotten():
    memo = LocalMemo(0.2)
    memo.set("hagiang.localhost", {"schema_name": "p_hagiang"})
    assert memo.get("hagiang.localhost") == {"schema_name": "p_hagiang"}
    time.sleep(0.25)
    assert memo.get("hagiang.localhost") is None


def test_forget_drops_an_answer_at_once():
    memo = LocalMemo(60)
    memo.set(("p_hagiang", "sotttt.hagiang.localhost"), 7)
    memo.forget(("p_hagiang", "sotttt.hagiang.localhost"))
    assert memo.get(("p_hagiang", "sotttt.hagiang.localhost")) is None


def test_the_memory_is_bounded():
    memo = LocalMemo(60, size=3)
    for number in range(10):
        memo.set(number, number)
    assert len(memo._entries) <= 3
    assert memo.get(9) == 9


def test_clear_all_empties_every_memo():
    first, second = LocalMemo(60), LocalMemo(60)
    first.set("a", 1)
    second.set("b", 2)
    LocalMemo.clear_all()
    assert (first.get("a"), second.get("b")) == (None, None)
