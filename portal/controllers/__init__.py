"""All route handlers of the app; each domain adds its controllers here."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler


def routes() -> list[ControllerRouterHandler]:
    from ledger.projects.allocation_controllers import AllocationController
    from ledger.projects.catalogue_controllers import CatalogueController
    from ledger.projects.change_controllers import ChangeController
    from ledger.projects.controllers import LedgerController
    from ledger.projects.expert_fee_controllers import ExpertFeeController
    from ledger.projects.export_controllers import SpukExportController
    from ledger.projects.payment_request_controllers import PaymentRequestController
    from ledger.projects.project_controllers import ProjectController
    from ledger.projects.report_controllers import ReportController
    from ledger.projects.sisa_controllers import SisaController
    from ledger.projects.spuk.wording_controllers import SisaWordingController
    from ledger.projects.umbrella_controllers import UmbrellaController
    from portal.accounts.controllers.admin import AdminController
    from portal.accounts.controllers.audit import AuditLogController
    from portal.accounts.controllers.auth import AuthController
    from portal.accounts.controllers.personal_data import PersonalDataController
    from portal.accounts.controllers.privacy import ErasureController, RetentionController
    from portal.accounts.controllers.tokens import ApiTokenController
    from portal.accounts.controllers.two_factor import (
        TwoFactorAccountController,
        TwoFactorLoginController,
    )
    from portal.api import api_router
    from portal.controllers.exports import ExportController
    from portal.controllers.home import HomeController
    from portal.controllers.repeats import RepeatController
    from proposals.controllers import (
        AttachmentController,
        BudgetController,
        EligibilityController,
        ProposalController,
        ProposalFormController,
        RoundController,
    )
    from review.controllers import (
        CriteriaController,
        LettersController,
        PanelController,
        ProposalReviewController,
        QuestionController,
        ReviewerController,
        RoundReviewController,
        RouteController,
    )

    return [
        AuthController,
        RepeatController,
        TwoFactorLoginController,
        TwoFactorAccountController,
        HomeController,
        PersonalDataController,
        AdminController,
        RetentionController,
        ErasureController,
        AuditLogController,
        RoundController,
        EligibilityController,
        ProposalController,
        ProposalFormController,
        BudgetController,
        AttachmentController,
        ReviewerController,
        RoundReviewController,
        CriteriaController,
        PanelController,
        LettersController,
        RouteController,
        ProposalReviewController,
        QuestionController,
        LedgerController,
        ProjectController,
        AllocationController,
        ExpertFeeController,
        UmbrellaController,
        PaymentRequestController,
        ChangeController,
        SisaWordingController,
        SisaController,
        ReportController,
        CatalogueController,
        SpukExportController,
        api_router(),
        ApiTokenController,
        ExportController,
    ]
