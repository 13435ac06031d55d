"""hearth.engine.lru.Memo: a hot-path memory that is its own dict, bounded."""
from hearth.engine.lru import Memo


def test_a_memo_works_each_answer_out_once_and_stays_within_its_size():
    asked: list = []

    def work(key: int) -> str:
        asked.append(key)
        return f"<{key}>"

    memo = Memo(work, 3)
    assert [memo[1], memo[2], memo[1]] == ["<1>", "<2>", "<1>"]
    assert asked == [1, 2]  # the second 1 was remembered
    assert memo.get(2) == "<2>" and memo.get(9) is None and asked == [1, 2]  # get never works one out
    for key in range(3, 40):
        assert memo[key] == f"<{key}>"
        assert len(memo) <= 3
    assert asked == list(range(1, 40)) and 39 in memo
