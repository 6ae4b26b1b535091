"""Choices for case notes. Codes are stable; labels are what users read."""

from datetime import timedelta

from django.db import models


class ContactType(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CALL = "call", "Telephone call"
    VISIT = "visit", "Home or premises visit"
    LICENCE_APPOINTMENT = "licence_appointment", "Licence appointment"
    INTELLIGENCE_DEBRIEF = "intelligence_debrief", "Intelligence debrief"
    CASE_DISCUSSION = "case_discussion", "Case discussion between agencies"


class ContactOutcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    ATTENDED = "attended", "Attended"
    FAILED_TO_ATTEND = "failed_to_attend", "Failed to attend"
    ACCEPTABLE_ABSENCE = "acceptable_absence", "Absence accepted"
    RESCHEDULED = "rescheduled", "Rescheduled"
    NOT_COMPLETED = "not_completed", "Not completed"


# The author may correct a note for this long after writing it; after that the record stands and only an
# addendum (a new note pointing at it) can add to it, so what was recorded at the time is never lost.
EDIT_WINDOW = timedelta(minutes=60)
