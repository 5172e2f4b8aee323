"""jobtrends.progress: counts as throttled plain lines in logs, bars on a terminal, lines for plain callables."""

from __future__ import annotations

import io

from jobtrends.progress import StageProgress, format_count, report_count


def test_format_count() -> None:
    assert format_count("load", 307, 1228, "files") == "load: 307/1,228 files (25%)"
    assert (
        format_count("normalise", 500, 1000, "postings", 2.0)
        == "normalise: 500/1,000 postings (50%, 250 postings/s)"
    )
    assert format_count("fetch", 3, None, "sources") == "fetch: 3 sources"


def test_plain_lines_are_throttled_and_the_last_one_always_shows() -> None:
    clock = [0.0]
    out = io.StringIO()
    progress = StageProgress(out, live=False, interval=5, clock=lambda: clock[0])
    for second in range(11):
        clock[0] = float(second)
        report_count(progress, "normalise", second * 100, 1000, "postings")
    lines = out.getvalue().splitlines()
    assert lines == [
        "  normalise: 0/1,000 postings (0%)",
        "  normalise: 500/1,000 postings (50%, 100 postings/s)",
        "  normalise: 1,000/1,000 postings (100%, 100 postings/s)",
    ]


def test_messages_pass_through_and_plain_callables_get_a_line_per_count() -> None:
    out = io.StringIO()
    StageProgress(out, live=False)("▶ load")
    assert out.getvalue() == "▶ load\n"
    seen: list[str] = []
    report_count(seen.append, "load", 2, 4, "files")
    assert seen == ["  load: 2/4 files (50%)"]


def test_a_terminal_gets_a_bar_with_count_and_rate() -> None:
    clock = [0.0]
    out = io.StringIO()
    with StageProgress(out, live=True, clock=lambda: clock[0]) as progress:
        report_count(progress, "load", 0, 4, "files")
        clock[0] = 2.0
        report_count(progress, "load", 4, 4, "files")
    text = out.getvalue()
    assert "load" in text and "4/4" in text and "2 files/s" in text
