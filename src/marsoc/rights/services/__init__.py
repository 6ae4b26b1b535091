"""Every write of the rights app: asks the façade, validates, writes and audits in one transaction."""

from .rectification import notice_acknowledge, rectification_record
from .requests import (
    FORMATS,
    record_decide,
    request_approve,
    request_consult,
    request_export,
    request_extend,
    request_identity,
    request_record,
    request_search,
    rights_home_consult,
)
from .restriction import person_restrict, person_unrestrict
from .retention import person_erase, person_review, record_review

__all__ = [
    "FORMATS",
    "notice_acknowledge",
    "person_erase",
    "person_restrict",
    "person_review",
    "person_unrestrict",
    "record_decide",
    "record_review",
    "rectification_record",
    "request_approve",
    "request_consult",
    "request_export",
    "request_extend",
    "request_identity",
    "request_record",
    "request_search",
    "rights_home_consult",
]
