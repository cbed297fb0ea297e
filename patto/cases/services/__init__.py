"""Every change to a family's path: keyword-only, atomic, audited, and entered in the path's timeline."""

from .assessment import current_framework, save_assessment, save_prepost  # noqa: F401
from .catalogues import CATALOGUES, COHORT_FIELDS, create_cohort, save_catalogue_entry, update_cohort  # noqa: F401
from .devices import (  # noqa: F401
    VOLUNTEER_FIELDS,
    _check_device,
    activate_device,
    add_volunteer,
    record_device_session,
    update_device,
    update_volunteer,
)
from .meetings import (  # noqa: F401
    _check_participants,
    complete_task,
    record_minutes,
    reschedule_meeting,
    schedule_meeting,
)
from .path import (  # noqa: F401
    PERSON_FIELDS,
    DuplicatePerson,
    _add_person,
    _case_manager_membership,
    _event,
    _family_reference,
    _new_person,
    _open_path,
    _transition,
    add_person,
    advance_path,
    assign_residence,
    attach_agreement_document,
    close_path,
    comune_named,
    ensure_new_person,
    find_existing_person,
    open_archive,
    open_path,
    record_agreement,
    reopen_path,
    with_comune,
)
from .plan import add_action, add_goal, remove_action, update_goal  # noqa: F401
from .team import (  # noqa: F401
    _check_consent,
    _check_seat,
    add_note,
    add_team_member,
    end_team_member,
    give_consent,
    withdraw_consent,
)
