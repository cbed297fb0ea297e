"""The PIPPI path of a family: the family and its people, the cohort, the path and its states, the
family's agreement, the équipe multidisciplinare, notes with an audience, and the timeline."""

from .assessment import (  # noqa: F401
    Assessment,
    CheckResult,
    Framework,
    PrePostAssessment,
    Rating,
    ScaleLevel,
    Side,
    SubDimension,
    TimePoint,
)
from .devices import DEVICE_RESPONSIBLE_ROLES, DeviceActivation, DeviceSession, DeviceType, Volunteer  # noqa: F401
from .meetings import Meeting, Task  # noqa: F401
from .path import (  # noqa: F401
    CHANNEL_OF_KIND,
    NEXT_STATE,
    Agreement,
    ArchiveAccess,
    Bilingual,
    ClosureOutcome,
    Cohort,
    Family,
    Path,
    Person,
    SignalChannel,
    channel_of,
)
from .plan import CurrentActionManager, PlanAction, PlanGoal  # noqa: F401
from .team import SCHOOL_KINDS, ConsentItem, ConsentItemQuerySet, Note, PathEvent, TeamMember  # noqa: F401
