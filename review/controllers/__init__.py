"""Pages of the review domain, one module per seam: the reviewer's work, the coordinator's
rounds and proposals, and the questions on a proposal (with what the proposal page shows of the
review)."""

from review.controllers.criteria import (
    CriteriaController,
    LettersController,
    PanelController,
    RouteController,
)
from review.controllers.proposal import ProposalReviewController
from review.controllers.questions import QuestionController, proposal_page_section
from review.controllers.reviewer import ReviewerController
from review.controllers.rounds import RoundReviewController

__all__ = [
    "CriteriaController",
    "LettersController",
    "PanelController",
    "ProposalReviewController",
    "QuestionController",
    "ReviewerController",
    "RoundReviewController",
    "RouteController",
    "proposal_page_section",
]
