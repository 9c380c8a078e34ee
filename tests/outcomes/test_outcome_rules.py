"""The outcome rules: validation and scoring of each measure, change from the first value, the minimal
clinically important change and the "not on track" prompt. No app, no database."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.outcomes.measures import (
    LEFS_WORDINGS,
    SCALES,
    Entry,
    Measure,
    PskItem,
    hardest_lefs_items,
    lefs_wording,
    problems,
    score,
)
from clinic.outcomes.progress import change, changes, progress

nprs_values = st.integers(0, 10)


@pytest.mark.parametrize("entry, expected", [
    (Entry(Measure.NPRS, value=6), {}),
    (Entry(Measure.NPRS, value=11), {"value": "out_of_range(0..10)"}),
    (Entry(Measure.NPRS, value=None), {"value": "out_of_range(0..10)"}),
    (Entry(Measure.GROC, value=-7), {}),
    (Entry(Measure.GROC, value=8), {"value": "out_of_range(-7..7)"}),
    (Entry(Measure.PSK, items=[PskItem("hardlopen", 3)]), {}),
    (Entry(Measure.PSK, items=[]), {"items": "choose_1_to_3_activities"}),
    (Entry(Measure.PSK, items=[PskItem("a", 1)] * 4), {"items": "choose_1_to_3_activities"}),
    # Each wrong item is named by its dotted path.
    (Entry(Measure.PSK, items=[PskItem("hardlopen", 3), PskItem(" ", 11)]),
     {"items.1.activity": "required", "items.1.score": "out_of_range(0..10)"}),
    (Entry(Measure.LEFS, answers=[4] * 20), {}),
    (Entry(Measure.LEFS, answers=[4] * 19), {"answers": "answer_all_20"}),
    (Entry(Measure.LEFS, answers=[4] * 19 + [5]), {"answers.19": "out_of_range(0..4)"}),
    # A patient's unanswered items are named one by one.
    (Entry(Measure.LEFS, answers=[None, 3] + [4] * 17 + [None]), {"answers.0": "required", "answers.19": "required"}),
])
def test_each_measure_accepts_only_its_range(entry, expected):
    assert problems(entry) == expected


@pytest.mark.parametrize("language", sorted(LEFS_WORDINGS))
def test_every_wording_of_the_lefs_has_its_20_items_and_5_answers(language):
    wording = LEFS_WORDINGS[language]
    scale = SCALES[Measure.LEFS]
    assert wording.language == language and wording.instruction and wording.source
    assert len(wording.items) == scale.max_items and len(set(wording.items)) == scale.max_items
    assert len(wording.answers) == scale.item_high - scale.item_low + 1


def test_a_language_without_a_validated_lefs_gets_the_original():
    assert lefs_wording("en") is LEFS_WORDINGS["en"]
    assert lefs_wording("nl") is LEFS_WORDINGS.get("nl", LEFS_WORDINGS["en"])
    assert lefs_wording("de").language == "en"


def test_the_hardest_lefs_items_are_those_answered_quite_a_bit_of_difficulty_or_worse():
    answers = [4] * 20
    assert hardest_lefs_items(answers) == []
    answers[3], answers[18], answers[15], answers[2] = 1, 0, 0, 2
    assert hardest_lefs_items(answers) == [15, 18, 3]
    assert hardest_lefs_items(answers, at_most=1) == [15]


@given(st.lists(st.integers(0, 4), min_size=20, max_size=20))
def test_any_complete_lefs_is_valid_and_scores_its_sum(answers):
    entry = Entry(Measure.LEFS, answers=answers)
    assert problems(entry) == {} and score(entry) == sum(answers)
    hardest = hardest_lefs_items(answers)
    assert all(answers[position] <= 1 for position in hardest)
    assert [answers[position] for position in hardest] == sorted(answers[position] for position in hardest)


def test_scores_are_the_value_the_mean_of_the_activities_or_the_sum_of_the_items():
    assert score(Entry(Measure.NPRS, value=6)) == 6
    assert score(Entry(Measure.PSK, items=[PskItem("hardlopen", 3), PskItem("traplopen", 4)])) == 3.5
    assert score(Entry(Measure.LEFS, answers=[3] * 20)) == 60


@pytest.mark.parametrize("measure, first, value, important", [
    (Measure.NPRS, 8, 6, True),  # 2 points
    (Measure.NPRS, 8, 7, False),  # 1 point, 12.5 %
    (Measure.NPRS, 3, 2, True),  # 1 point but 33 %
    (Measure.NPRS, 2, 4, True),  # 2 points worse: important, not an improvement
    (Measure.PSK, 3, 5, True),
    (Measure.PSK, 3, 4.5, False),
    (Measure.LEFS, 40, 49, True),
    (Measure.LEFS, 40, 48, False),
    (Measure.GROC, 0, 3, True),  # the rating is the change
    (Measure.GROC, 5, 2, False),
])
def test_minimal_clinically_important_change(measure, first, value, important):
    assert change(measure, first, value).is_important is important


def test_pain_going_down_is_an_improvement_function_going_up_too():
    assert change(Measure.NPRS, 8, 5).improvement == 3
    assert change(Measure.LEFS, 40, 50).improvement == 10
    assert change(Measure.NPRS, 2, 4).is_important_improvement is False


@given(st.sampled_from([Measure.NPRS, Measure.PSK, Measure.LEFS]), st.integers(0, 10))
def test_the_first_value_has_no_change(measure, first):
    assert change(measure, first, first).improvement == 0
    assert not change(measure, first, first).is_important


@given(nprs_values, nprs_values)
def test_pain_down_by_two_points_is_always_important(first, value):
    if first - value >= 2:
        assert change(Measure.NPRS, first, value).is_important_improvement


@given(nprs_values, nprs_values)
def test_pain_change_is_symmetric_between_better_and_worse_in_points(first, value):
    # Only the direction differs; the 30 % rule is relative to the first value, so compare at 2 points.
    if abs(first - value) >= 2:
        assert change(Measure.NPRS, first, value).is_important


@given(st.lists(nprs_values, min_size=1, max_size=12))
def test_every_change_is_measured_from_the_first_value(values):
    assert [item.improvement for item in changes(Measure.NPRS, values)] == [values[0] - v for v in values]


@given(st.lists(nprs_values, max_size=8), st.integers(0, 3), st.integers(4, 10))
def test_never_off_track_before_the_review_visit(values, visits, review_after):
    assert progress([(Measure.NPRS, v) for v in values], visits=visits, review_after_visits=review_after).is_on_track


@given(st.lists(nprs_values, min_size=1, max_size=8), st.integers(4, 20))
def test_off_track_after_the_review_visit_exactly_when_nothing_improved_enough(values, visits):
    result = progress([(Measure.NPRS, v) for v in values], visits=visits, review_after_visits=4)
    assert result.is_on_track == change(Measure.NPRS, values[0], values[-1]).is_important_improvement


def test_one_measure_improving_enough_keeps_the_episode_on_track():
    measured = [(Measure.NPRS, 6), (Measure.PSK, 3), (Measure.NPRS, 6), (Measure.PSK, 6)]
    assert progress(measured, visits=5, review_after_visits=4).is_on_track
    assert not progress(measured[:3], visits=5, review_after_visits=4).is_on_track
