"""Pages of the proposals domain, one controller per seam: rounds (coordinator), the proposal
pages, the proposal form's sections, the budget's own routes, attachments and co-authors.

Thin: parse, authorise, call a service, render. Object-level access lives in access.py.
"""

from proposals.controllers.attachments import AttachmentController
from proposals.controllers.budget import BudgetController
from proposals.controllers.common import register_detail_section, register_edit_section
from proposals.controllers.pages import ProposalController
from proposals.controllers.rounds import EligibilityController, RoundController
from proposals.controllers.sections import ProposalFormController

__all__ = [
    "AttachmentController",
    "BudgetController",
    "EligibilityController",
    "ProposalController",
    "ProposalFormController",
    "RoundController",
    "register_detail_section",
    "register_edit_section",
]
