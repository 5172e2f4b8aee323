from ingest import rule_errors


def test_errors_are_counted_per_rule_with_the_first_example() -> None:
    rule_errors.snapshot(reset=True)
    rule_errors.record_error("salary.parse_pay", ValueError("bad amount"), "$12x")
    rule_errors.record_error("salary.parse_pay", ValueError("other"), "$13y")
    rule_errors.record_error("titles.classify", KeyError("k"), "Engineer")
    got = rule_errors.snapshot(reset=True)
    assert got.counts == {"salary.parse_pay": 2, "titles.classify": 1}
    assert got.examples["salary.parse_pay"] == ("$12x", "ValueError: bad amount")
    assert got.total == 3
    assert rule_errors.snapshot().total == 0


def test_merge_adds_counts_and_keeps_existing_examples() -> None:
    a = rule_errors.RuleErrors()
    a.counts["r"] = 1
    a.examples["r"] = ("first", "E: 1")
    b = rule_errors.RuleErrors()
    b.counts.update({"r": 2, "s": 1})
    b.examples.update({"r": ("second", "E: 2"), "s": ("x", "E: 3")})
    a.merge(b)
    assert a.counts == {"r": 3, "s": 1}
    assert a.examples["r"] == ("first", "E: 1")
    assert a.examples["s"] == ("x", "E: 3")
