from summaries.diff import MAX_LINE_DIFF_LINES, MAX_WORD_DIFF_TOKENS, diff_sources


def kinds(lines):
    return [line.kind for line in lines]


def test_diff_identical_sources_is_all_equal():
    assert kinds(diff_sources("a\nb", "a\nb")) == ["equal", "equal"]


def test_diff_marks_added_and_removed_lines():
    lines = diff_sources("keep\ndrop", "keep\nnew one\n")

    assert kinds(lines) == ["equal", "changed"]
    segments = {(s.kind, s.text) for s in lines[1].segments}
    assert ("removed", "drop") in segments
    assert ("added", "new one") in segments


def test_diff_long_line_marks_only_changed_words():
    old = "alpha beta gamma delta " * 20 + "end"
    new = "alpha beta gamma delta " * 20 + "finish"

    (line,) = diff_sources(old, new)

    removed = [s.text for s in line.segments if s.kind == "removed"]
    added = [s.text for s in line.segments if s.kind == "added"]
    assert removed == ["end"]
    assert added == ["finish"]


def test_diff_huge_block_falls_back_to_whole_lines():
    old = "x " * (MAX_WORD_DIFF_TOKENS + 10)
    new = "y " * (MAX_WORD_DIFF_TOKENS + 10)

    lines = diff_sources(old, new)

    assert kinds(lines) == ["removed", "added"]


def test_diff_from_empty_source():
    assert kinds(diff_sources("", "one\ntwo")) == ["added", "added"]


def test_diff_many_changed_lines_fall_back_to_whole_lines():
    old = "head\n" + "a\nb\n" * MAX_LINE_DIFF_LINES + "tail"
    new = "head\n" + "b\na\n" * MAX_LINE_DIFF_LINES + "tail"

    lines = diff_sources(old, new)

    assert lines[0].kind == "equal"
    assert lines[-1].kind == "equal"
    assert {line.kind for line in lines[1:-1]} == {"removed", "added"}
