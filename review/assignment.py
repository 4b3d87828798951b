"""Proposing reviewer assignments for a round (DESIGN.md §2.3).

Pure functions: the coordinator's page loads reviewers and proposals, calls
`propose_assignment`, shows the plan and its problems, and a service stores what is accepted.

Hard rules for every completed proposal:
- exactly `per_proposal` distinct reviewers, none with a conflict of interest;
- the round's panel: at least `needs[kind]` reviewers of each kind (a kind is a code of the
  network's panel, portal/accounts/panel.py; Zuid-West: one AO member "ao" and one expert-team
  chair "chair" when a proposal has two or more reviewers, any reviewer when it has one);
- reviewers assigned by hand (`already_assigned`) are kept when they are conflict-free, and
  dropped when they now have a conflict (or are not in the pool of reviewers).

Preferences, in this order, among the reviewers that keep the proposal completable:
1. the least work (plan load so far plus `existing_load`), so that work is spread evenly;
2. the kind whose reviewers carry the least work on average, so that no kind runs out of
   lightly loaded reviewers and the panel later has to pull in a busy one (with as many AO
   members as chairs and no conflicts, loads end up at most 1 apart);
3. a region not yet on the proposal, so that the reviewers come from different regions;
4. the lowest id, so that the plan is deterministic.

A proposal is completable iff a set of `per_proposal` conflict-free reviewers exists that
contains its kept hand-assigned reviewers and meets the panel. A reviewer has one kind, so that
is so iff there are enough of each needed kind and the kinds still missing fit in the places
left. Because reviewers have no capacity limit, this depends on the proposal alone: the greedy
choice never makes another proposal infeasible, and the algorithm completes every completable
proposal. Proposals are handled most constrained first (fewest conflict-free reviewers, then id).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

# Zuid-West's panel when a caller names none: one of each kind with two or more reviewers.
DEFAULT_NEEDS: dict[str, int] = {"ao": 1, "chair": 1}

# Kinds of a declared conflict (ConflictDeclaration.kind).
CONFLICT_KINDS: dict[str, str] = {
    "own_region": "Eigen regio",
    "own_organisation": "Eigen organisatie",
    "personal": "Persoonlijk",
    "other": "Anders",
}

# What `conflict_reason` returns, with its label for the UI.
CONFLICT_REASONS: dict[str, str] = {
    "own_region": "Eigen regio",
    "own_organisation": "Eigen organisatie",
    "declared": "Belangenconflict gemeld",
}


@dataclass(frozen=True)
class ReviewerInfo:
    id: int
    name: str
    kind: str  # a code of the network's panel: "ao", "chair", "ervaringsdeskundige"; "" none
    region_id: int | None  # the region they are listed for first: what assignment spreads
    organisation_ids: frozenset[int] = frozenset()
    # Every region they serve (a chair for Haaglanden and Midden-Holland): a conflict with each.
    region_ids: frozenset[int] = frozenset()
    kind_name: str = ""  # how the network's panel names the kind, for pages

    @property
    def regions(self) -> frozenset[int]:
        return self.region_ids | ({self.region_id} if self.region_id is not None else set())


@dataclass(frozen=True)
class ProposalInfo:
    id: int
    title: str
    region_id: int | None  # the submitting youth region
    lead_organisation_id: int | None
    declared_conflicts: frozenset[int] = frozenset()  # reviewer ids who declared a conflict
    already_assigned: frozenset[int] = frozenset()  # reviewer ids assigned by hand; keep them


@dataclass(frozen=True)
class AssignmentProblem:
    proposal_id: int
    message: str  # Dutch, starts with the proposal title


@dataclass(frozen=True)
class AssignmentPlan:
    # proposal id -> reviewer ids, sorted; every proposal given is a key. A proposal with a
    # problem keeps only its conflict-free hand-assigned reviewers.
    assignments: dict[int, tuple[int, ...]]
    # Proposals that could not be completed; one problem per reason, so a proposal may have
    # more than one. In the order the proposals were given.
    problems: list[AssignmentProblem]
    # reviewer id -> number of proposals in this plan (without existing_load); every reviewer.
    load: dict[int, int]
    # proposal id -> hand-assigned reviewer ids that were not kept (a conflict, or not in the
    # pool of reviewers); only proposals that lost someone.
    dropped: dict[int, tuple[int, ...]] = field(default_factory=dict)

    @property
    def proposals_with_problems(self) -> set[int]:
        return {problem.proposal_id for problem in self.problems}


def conflict_reason(reviewer: ReviewerInfo, proposal: ProposalInfo) -> str | None:
    """Why `reviewer` may not review `proposal`: a key of CONFLICT_REASONS, or None.

    Checked in this order: own region, own (lead) organisation, a declared conflict.
    """
    if proposal.region_id is not None and proposal.region_id in reviewer.regions:
        return "own_region"
    if (
        proposal.lead_organisation_id is not None
        and proposal.lead_organisation_id in reviewer.organisation_ids
    ):
        return "own_organisation"
    if reviewer.id in proposal.declared_conflicts:
        return "declared"
    return None


def propose_assignment(
    proposals: Sequence[ProposalInfo],
    reviewers: Sequence[ReviewerInfo],
    per_proposal: int = 3,
    existing_load: Mapping[int, int] | None = None,
    needs: Mapping[str, int] | None = None,
    kind_names: Mapping[str, str] | None = None,
) -> AssignmentPlan:
    """Propose `per_proposal` reviewers for every proposal; see the module docstring.

    `existing_load` (reviewer id -> proposals already on their plate, e.g. in other rounds)
    only steers the preference for the least-loaded reviewer; it is not part of `load`.
    `needs` (kind -> at least so many per proposal) is the round's panel, `kind_names` how its
    messages name one of a kind; without them Zuid-West's AO member and chair.
    Raises ValueError on duplicate ids, a negative need or `per_proposal` < 1.
    """
    if per_proposal < 1:
        raise ValueError("per_proposal must be at least 1")
    if needs is None:
        needs = DEFAULT_NEEDS if per_proposal >= 2 else {}
    if any(n < 0 for n in needs.values()):
        raise ValueError("a need is at least 0")
    needs = {kind: n for kind, n in needs.items() if n}
    names = {"ao": "AO-lid", "chair": "voorzitter van een expertteam", **(kind_names or {})}
    _check_unique_ids([r.id for r in reviewers], "reviewer")
    _check_unique_ids([p.id for p in proposals], "proposal")

    earlier = existing_load or {}
    load = {reviewer.id: 0 for reviewer in reviewers}
    eligible: dict[int, list[ReviewerInfo]] = {}
    kept: dict[int, list[ReviewerInfo]] = {}
    dropped: dict[int, tuple[int, ...]] = {}
    for proposal in proposals:
        pool = [r for r in reviewers if conflict_reason(r, proposal) is None]
        eligible[proposal.id] = pool
        kept[proposal.id] = sorted(
            (r for r in pool if r.id in proposal.already_assigned), key=lambda r: r.id
        )
        lost = proposal.already_assigned - {r.id for r in kept[proposal.id]}
        if lost:
            dropped[proposal.id] = tuple(sorted(lost))
        # Hand assignments are fixed, so they count for the balance from the start.
        for reviewer in kept[proposal.id]:
            load[reviewer.id] += 1

    chosen: dict[int, tuple[int, ...]] = {}
    problems: dict[int, list[AssignmentProblem]] = {}
    for proposal in sorted(proposals, key=lambda p: (len(eligible[p.id]), p.id)):
        reasons = _infeasibility(
            proposal, eligible[proposal.id], kept[proposal.id], per_proposal, needs, names
        )
        if reasons:
            problems[proposal.id] = [AssignmentProblem(proposal.id, m) for m in reasons]
            chosen[proposal.id] = tuple(r.id for r in kept[proposal.id])
            continue
        team = list(kept[proposal.id])
        kept_ids = {r.id for r in team}
        candidates = [r for r in eligible[proposal.id] if r.id not in kept_ids]
        while len(team) < per_proposal:
            allowed = _allowed(team, candidates, per_proposal, needs)
            regions: list[int | None] = [r.region_id for r in team if r.region_id is not None]
            kind_work = _work_per_kind(reviewers, load, earlier)
            best = min(
                allowed,
                key=lambda r: (
                    load[r.id] + earlier.get(r.id, 0),
                    kind_work[r.kind],
                    regions.count(r.region_id),
                    r.id,
                ),
            )
            team.append(best)
            candidates.remove(best)
            load[best.id] += 1
        chosen[proposal.id] = tuple(sorted(r.id for r in team))

    return AssignmentPlan(
        assignments={p.id: chosen[p.id] for p in proposals},
        problems=[problem for p in proposals for problem in problems.get(p.id, [])],
        load=load,
        dropped=dropped,
    )


def _work_per_kind(
    reviewers: Sequence[ReviewerInfo], load: Mapping[int, int], earlier: Mapping[int, int]
) -> dict[str, Fraction]:
    """Average work per reviewer of each kind (plan load plus existing load)."""
    totals: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for reviewer in reviewers:
        totals[reviewer.kind] += load[reviewer.id] + earlier.get(reviewer.id, 0)
        counts[reviewer.kind] += 1
    return {kind: Fraction(totals[kind], counts[kind]) for kind in counts}


def _missing(team: Sequence[ReviewerInfo], needs: Mapping[str, int]) -> dict[str, int]:
    """kind -> how many more of it the team needs; only kinds still short."""
    have = Counter(r.kind for r in team)
    return {kind: n - have[kind] for kind, n in needs.items() if n > have[kind]}


def _allowed(
    team: list[ReviewerInfo],
    candidates: list[ReviewerInfo],
    per_proposal: int,
    needs: Mapping[str, int],
) -> list[ReviewerInfo]:
    """The candidates that keep the team completable under the panel."""
    missing = _missing(team, needs)
    if per_proposal - len(team) > sum(missing.values()):
        return candidates
    return [r for r in candidates if r.kind in missing]


def _infeasibility(
    proposal: ProposalInfo,
    pool: list[ReviewerInfo],
    kept: list[ReviewerInfo],
    per_proposal: int,
    needs: Mapping[str, int],
    names: Mapping[str, str],
) -> list[str]:
    """Dutch reasons why the proposal cannot be completed; empty when it can."""
    title = proposal.title
    if len(kept) > per_proposal:
        return [
            f"{title}: {len(kept)} beoordelaars met de hand toegewezen; "
            f"er {_needed(per_proposal)} nodig."
        ]
    reasons = []
    if sum(needs.values()) > per_proposal:
        asked = ", ".join(f"{n} × {names.get(kind, kind)}" for kind, n in needs.items())
        return [
            f"{title}: het panel vraagt {asked}, meer dan de {per_proposal} beoordelaars per "
            "voorstel."
        ]
    if len(pool) < per_proposal:
        available = (
            "geen beoordelaars"
            if not pool
            else f"maar {len(pool)} beoordelaar{'' if len(pool) == 1 else 's'}"
        )
        reasons.append(
            f"{title}: {available} zonder belangenconflict beschikbaar; "
            f"er {_needed(per_proposal)} nodig."
        )
    in_pool = Counter(r.kind for r in pool)
    for kind, n in needs.items():
        if in_pool[kind] == 0:
            reasons.append(f"{title}: geen {names.get(kind, kind)} zonder belangenconflict.")
        elif in_pool[kind] < n:
            reasons.append(
                f"{title}: maar {in_pool[kind]} × {names.get(kind, kind)} zonder "
                f"belangenconflict; het panel vraagt er {n}."
            )
    missing = _missing(kept, needs)
    if not reasons and len(kept) + sum(missing.values()) > per_proposal:
        if len(kept) == per_proposal:
            lacking = " of ".join(names.get(kind, kind) for kind in sorted(missing))
            reasons.append(
                f"{title}: de met de hand toegewezen beoordelaars vullen alle {per_proposal} "
                f"plaatsen, maar er zit geen {lacking} bij."
            )
        else:
            lacking = " en ".join(f"{n} × {names.get(kind, kind)}" for kind, n in missing.items())
            reasons.append(
                f"{title}: de met de hand toegewezen beoordelaars laten te weinig plaatsen over; "
                f"er ontbreekt nog {lacking}."
            )
    return reasons


def _needed(count: int) -> str:
    return "is er 1" if count == 1 else f"zijn er {count}"


def _check_unique_ids(ids: list[int], what: str) -> None:
    seen: set[int] = set()
    for id_ in ids:
        if id_ in seen:
            raise ValueError(f"duplicate {what} id {id_}")
        seen.add(id_)
