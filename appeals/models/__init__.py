"""Appeals of every kind under the Law of Ukraine "On Citizens' Appeals".

The models and the rules they follow, split by concern: rules (the public
point's rounding, the law's terms), categories, appeal (the appeal, its
reference counter, the moderators' queue) and records (what an appeal
gathers). Every name is importable from `appeals.models`, as migrations and
the rest of the app expect.
"""

# Open311 clients and submissions live with the Open311 code.
from ..open311.models import ApiClient, Open311Submission  # noqa: F401
from ..registration import REGISTERED_VIA, AppealContact, Channel  # noqa: F401 (the app's models)
from .appeal import (  # noqa: F401
    Appeal,
    AppealQuerySet,
    ModerationQueue,
    ReferenceCounter,
)
from .categories import (  # noqa: F401
    Category,
    CategoryGroup,
    CategoryQuestion,
    Kind,
    QuestionChoice,
)
from .records import (  # noqa: F401
    AnswerAttachment,
    AnswerTemplate,
    AppealAudit,
    AppealEvent,
    AppealFollower,
    AppealMessage,
    AppealNote,
    AppealPhoto,
    AppealRating,
    DuplicateFlag,
    ProposalSupport,
    RejectReason,
    answer_attachment_path,
    appeal_photo_path,
)
from .rules import (  # noqa: F401
    _PUBLIC_STEP,
    PUBLIC_POINT_DECIMALS,
    TERM_CAP_DAYS,
    TERM_NO_STUDY_DAYS,
    TERM_ONE_MONTH,
    add_calendar_month,
    legal_deadline,
    public_point,
    public_point_near,
    public_point_within,
)
