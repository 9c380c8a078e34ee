"""The decision evaluator: runs the rules of the pipeline over a situation and says why."""
from __future__ import annotations

from .conditions import all_hold, selected_flags
from .reasons import Reason
from .result import ModalityAssessment
from .rulebook import STEPS, Rule, Rules
from .situation import Situation
from .verdicts import Verdict, most_restrictive


def fire(rule: Rule, situation: Situation, rules: Rules) -> list[Reason]:
    """Return the reasons ``rule`` gives in ``situation``: none, one, or one per selected flag."""
    if not all_hold(rule.when, situation):
        return []
    flags = selected_flags(rule.when, situation)
    if flags is None:
        # A DOMS threshold concerns the sore region, so the reason names it.
        region = situation.doms_region if "doms_gte" in rule.when else None
        return [rule.reason.instantiate(region=region)]
    return [rule.reason.instantiate(flag_label=rules.flags[name].label, region=situation.flags[name].region)
            for name in flags]


def assess_modalities(situation: Situation, rules: Rules) -> dict[str, ModalityAssessment]:
    """Return each modality's verdict: the most restrictive of all its triggered reasons.

    Steps run in the order of DOMAIN.md §4.4 so reasons read in that order; the phase-matrix cell
    always applies, so every modality has at least one verdict-bearing reason.
    """
    reasons: dict[str, list[Reason]] = {modality: [] for modality in rules.modalities}
    for step in STEPS:
        if step == "phase_matrix":
            for modality in rules.modalities:
                cell = rules.phase_matrix[situation.phase, situation.effective_band, modality]
                reasons[modality].append(cell.instantiate())
        for rule in rules.rules_of_step(step):
            for reason in fire(rule, situation, rules):
                for modality in rule.modalities:
                    reasons[modality].append(reason)
    return {modality: ModalityAssessment(modality, _verdict(found), tuple(found))
            for modality, found in reasons.items()}


def _verdict(reasons: list[Reason]) -> Verdict:
    return most_restrictive(reason.verdict for reason in reasons if reason.verdict is not None)
