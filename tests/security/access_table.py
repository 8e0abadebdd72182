"""The declared access-control table: who may use each route, on which objects.

Every endpoint in the app's URL map needs an entry here, or the matrix test fails: a route
added without thinking about who may use it does not pass CI.

Outcomes, for each actor against the own inspection's objects:
  ok       allowed: any answer but 401/403/404, a redirect to sign-in, or a 5xx
  login    sent to the sign-in page          401  refused as JSON (API, no session)
  403      signed in, wrong role             404  not a member (or no such object for them)
  refused  any non-5xx answer, and the database is unchanged (e.g. a redirect with a message)
  any      any non-5xx answer (signing out: it ends on the sign-in page for everyone)

Against a foreign inspection's objects every member (lead, auditor, observer) gets 404, unless
the entry says otherwise with `foreign=`. The admin is a member of neither inspection.

Actors: anonymous; outsider (lead of another inspection); lead, auditor, observer (members of
the own inspection; `auditor` is assigned the draft case and is the second auditor of the
submitted one); admin (global administrator, not a member). Cases: `draft` (the auditor's,
flagged as a current risk), `submitted` (another auditor's, with a second audit requested).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Access:
    """Expected outcome per actor, and what the request carries."""

    expected: dict[str, str]
    foreign: str = "404"
    query: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    note: str = ""

    def but(self, **changes: str) -> Access:
        """The same entry with some actors' outcomes changed."""
        return replace(self, expected={**self.expected, **changes})

    def sending(self, **options: Any) -> Access:
        """The same entry with a query string, a JSON body or a note."""
        return replace(self, **options)


def expect(
    *,
    anonymous: str = "login",
    outsider: str = "404",
    lead: str = "ok",
    auditor: str = "ok",
    observer: str = "ok",
    admin: str = "404",
    foreign: str = "404",
) -> Access:
    """An entry; the defaults describe a page any member of the inspection may use."""
    return Access(
        {
            "anonymous": anonymous,
            "outsider": outsider,
            "lead": lead,
            "auditor": auditor,
            "observer": observer,
            "admin": admin,
        },
        foreign=foreign,
    )


PUBLIC = expect(anonymous="ok", outsider="ok", admin="ok")
SIGNED_IN = expect(outsider="ok", admin="ok")
ADMIN_ONLY = expect(outsider="403", lead="403", auditor="403", observer="403", admin="ok")
MEMBERS = expect()
LEAD = expect(auditor="403", observer="403")
LEAD_OR_ADMIN = LEAD.but(admin="ok")  # inspection set-up: admins may do it without membership
EDITORS = expect(observer="403")  # evidence log and action plans: auditors and leads change them
API_MEMBERS = MEMBERS.but(anonymous="401")
ANSWER = {"value": "yes", "base_version": None}

# Pages holding the form of a POST-only route (same URL arguments): where the hostile-input
# test reads the field names from.
FORM_PAGES: dict[str, str] = {
    "admin.unlock_user": "admin.show_user",
    "admin.reset_second_factor": "admin.show_user",
    "admin.deactivate_user": "admin.show_user",
    "admin.reactivate_user": "admin.show_user",
    "admin.send_password_link": "admin.show_user",
    "admin.set_temporary_password": "admin.show_user",
    "inspections.invite_member": "inspections.list_members",
    "admin.copy_question_set": "admin.show_question_set",
    "admin.remove_question_set_draft_question": "admin.edit_question_set_draft_question",
    "admin.publish_question_set_draft": "admin.review_question_set_draft",
    "admin.discard_question_set_draft": "admin.show_question_set_draft",
    "admin.move_question_set_draft_section": "admin.show_question_set_draft",
    "admin.remove_question_set_draft_section": "admin.show_question_set_draft",
    "admin.move_question_set_draft_question": "admin.show_question_set_draft",
    "admin.move_question_set_draft_option": "admin.edit_question_set_draft_question",
    "api.revoke_token": "api.list_tokens",
    "audit.save_answers": "audit.show_case",
    "audit.save_second_audit_answers": "audit.show_second_audit",
    "audit.acknowledge_concern": "audit.show_case",
    "audit.mark_concern_raised": "audit.show_case",
    "inspections.add_member": "inspections.list_members",
    "inspections.change_member_role": "inspections.list_members",
    "inspections.remove_member": "inspections.list_members",
    "inspections.draw_sample": "inspections.show_sampling",
    "moderation.agree_grade": "moderation.show_case",
    "moderation.change_grade": "moderation.show_case",
    "moderation.return_to_auditor": "moderation.show_case",
    "moderation.request_second_audit": "moderation.show_case",
    "moderation.resolve_by_reconciled_answers": "moderation.show_differences",
}

# Keys: endpoint -> {"METHOD" or "METHOD case": Access}; "*" stands for every method.
ACCESS: dict[str, dict[str, Access]] = {
    "static": {"*": PUBLIC},
    "main.healthz": {"*": PUBLIC},
    "main.index": {"*": SIGNED_IN},
    # auth
    "auth.login": {"*": PUBLIC},
    "auth.logout": {
        "*": SIGNED_IN.but(outsider="any", lead="any", auditor="any", observer="any", admin="any")
    },
    "auth.change_password": {"*": SIGNED_IN},
    "auth.show_account": {"*": SIGNED_IN},
    "auth.change_name": {"*": SIGNED_IN},
    # a one-time link: the token is the permission (the table's token is not a real one)
    "auth.set_password": {
        "*": expect(
            anonymous="refused",
            outsider="refused",
            lead="refused",
            auditor="refused",
            observer="refused",
            admin="refused",
        ).sending(note="an unknown token: 404, nothing changes")
    },
    # second factor: the code step belongs to a sign-in in progress (anyone else is sent on)
    "auth.verify_second_factor": {"*": SIGNED_IN},
    "auth.set_up_second_factor": {"*": SIGNED_IN},
    "auth.show_second_factor": {"*": SIGNED_IN},
    "auth.regenerate_recovery_codes": {"*": SIGNED_IN},
    # notifications: each user's own (the table's is the lead's); anyone else's is 404
    "notifications.list_notifications": {"*": SIGNED_IN},
    "notifications.open_notification": {
        "*": SIGNED_IN.but(outsider="404", auditor="404", observer="404", admin="404")
    },
    # admin
    "admin.index": {"*": ADMIN_ONLY},
    "admin.list_question_sets": {"*": ADMIN_ONLY},
    "admin.show_question_set": {"*": ADMIN_ONLY},
    "admin.upload_question_set": {"*": ADMIN_ONLY},
    "admin.export_question_set_file": {"*": ADMIN_ONLY},
    "admin.export_question_set_workbook_file": {"*": ADMIN_ONLY},
    "admin.reset_second_factor": {"*": ADMIN_ONLY},
    "admin.unlock_user": {"*": ADMIN_ONLY},
    "admin.create_user": {"*": ADMIN_ONLY},
    "admin.show_user": {"*": ADMIN_ONLY},
    "admin.change_user_name": {"*": ADMIN_ONLY},
    "admin.deactivate_user": {"*": ADMIN_ONLY},
    "admin.reactivate_user": {"*": ADMIN_ONLY},
    "admin.send_password_link": {"*": ADMIN_ONLY},
    "admin.set_temporary_password": {"*": ADMIN_ONLY},
    # question-set drafts: admins; a lead only on a draft of an inspection they lead (the
    # world's draft is an admins' one, so a lead gets 403; tests/web/test_question_set_builder.py)
    "admin.list_question_set_drafts": {"*": ADMIN_ONLY},
    "admin.new_question_set_draft": {"*": ADMIN_ONLY},
    "admin.upload_question_set_draft": {"*": ADMIN_ONLY},
    "admin.copy_question_set": {"*": ADMIN_ONLY},
    "admin.show_question_set_draft": {"*": ADMIN_ONLY},
    "admin.replace_question_set_draft": {"*": ADMIN_ONLY},
    "admin.edit_question_set_draft_question": {"*": ADMIN_ONLY},
    "admin.remove_question_set_draft_question": {"*": ADMIN_ONLY},
    "admin.add_question_set_draft_question": {"*": ADMIN_ONLY},
    "admin.rename_question_set_draft_section": {"*": ADMIN_ONLY},
    "admin.review_question_set_draft": {"*": ADMIN_ONLY},
    "admin.publish_question_set_draft": {"*": ADMIN_ONLY},
    "admin.discard_question_set_draft": {"*": ADMIN_ONLY},
    "admin.export_question_set_draft_file": {"*": ADMIN_ONLY},
    "admin.export_question_set_draft_workbook_file": {"*": ADMIN_ONLY},
    "admin.move_question_set_draft_section": {"*": ADMIN_ONLY},
    "admin.remove_question_set_draft_section": {"*": ADMIN_ONLY},
    "admin.move_question_set_draft_question": {"*": ADMIN_ONLY},
    "admin.move_question_set_draft_option": {"*": ADMIN_ONLY},
    "admin.preview_question_set_draft": {"*": ADMIN_ONLY},
    # api
    "api.openapi_document": {"*": PUBLIC},
    "api.list_inspections": {"*": SIGNED_IN.but(anonymous="401")},
    "api.show_summary": {"*": API_MEMBERS},
    "api.show_findings": {"*": API_MEMBERS},
    "api.show_recommendations": {"*": API_MEMBERS},
    "api.list_evidence": {"*": API_MEMBERS},
    "api.show_action_plan": {"*": API_MEMBERS},
    "api.list_tokens": {"*": SIGNED_IN},
    "api.revoke_token": {
        "*": SIGNED_IN.but(
            outsider="refused", auditor="refused", observer="refused", admin="refused"
        ).sending(foreign="refused", note="a token is its owner's (the lead's) alone")
    },
    # audit: the assigned auditor edits a draft; the lead handles current-risk concerns
    "audit.my_cases": {"*": SIGNED_IN},
    "audit.my_inspection_cases": {"*": MEMBERS},
    "audit.show_case": {"GET draft": MEMBERS, "GET submitted": MEMBERS.but(auditor="403")},
    "audit.show_case_history": {
        "GET draft": MEMBERS,
        "GET submitted": MEMBERS.but(auditor="403"),
    },
    "audit.save_answers": {"POST draft": LEAD.but(lead="403", auditor="ok")},
    "audit.save_answer": {"POST draft": LEAD.but(lead="403", auditor="ok").sending(json=ANSWER)},
    "audit.submit_case": {
        "GET draft": MEMBERS,
        "POST draft": LEAD.but(lead="403", auditor="ok"),
    },
    "audit.show_second_audit": {"GET submitted": LEAD.but(lead="403", auditor="ok")},
    "audit.show_second_audit_history": {"GET submitted": LEAD.but(lead="403", auditor="ok")},
    "audit.save_second_audit_answers": {"POST submitted": LEAD.but(lead="403", auditor="ok")},
    "audit.save_second_audit_answer": {
        "POST submitted": LEAD.but(lead="403", auditor="ok").sending(json=ANSWER)
    },
    "audit.submit_second_audit": {"* submitted": LEAD.but(lead="403", auditor="ok")},
    "audit.edit_case_study": {"* draft": LEAD.but(auditor="ok")},
    "audit.flag_current_risk": {"* draft": LEAD.but(auditor="ok")},
    "audit.remove_current_risk": {"* draft": LEAD},
    "audit.list_concerns": {"*": LEAD},
    "audit.acknowledge_concern": {"* draft": LEAD},
    "audit.mark_concern_raised": {"* draft": LEAD},
    "audit.list_redactable_texts": {"GET draft": LEAD, "GET submitted": LEAD},
    "audit.redact_text": {"* draft": LEAD},
    "audit.check_personal_data": {"*": SIGNED_IN.sending(json={"text": "a note"})},
    # inspections: set-up by the lead, or an admin who is not a member
    "inspections.list_inspections": {"*": SIGNED_IN},
    "inspections.create_inspection": {"*": ADMIN_ONLY},
    "inspections.show_inspection": {"*": MEMBERS.but(admin="ok")},
    "inspections.edit_inspection": {"*": LEAD_OR_ADMIN},
    "inspections.list_members": {"*": LEAD_OR_ADMIN},
    "inspections.add_member": {"*": LEAD_OR_ADMIN},
    "inspections.change_member_role": {"*": LEAD_OR_ADMIN},
    "inspections.remove_member": {"*": LEAD_OR_ADMIN},
    "inspections.invite_member": {"*": LEAD_OR_ADMIN},
    "inspections.choose_question_sets": {"*": LEAD_OR_ADMIN},
    "inspections.import_cases": {"*": LEAD_OR_ADMIN},
    "inspections.download_import_problems": {"*": LEAD_OR_ADMIN},  # the uploader's own list
    # The steps after the upload: another user's or an unknown upload sends back to the upload.
    "inspections.map_case_list_columns": {"*": LEAD_OR_ADMIN},
    "inspections.map_case_list_labels": {"*": LEAD_OR_ADMIN},
    "inspections.check_case_list": {"*": LEAD_OR_ADMIN},
    "inspections.download_case_list_template_csv": {"*": LEAD_OR_ADMIN},
    "inspections.download_case_list_template_xlsx": {"*": LEAD_OR_ADMIN},
    "inspections.show_sampling": {"*": LEAD_OR_ADMIN},
    "inspections.draw_sample": {"*": LEAD_OR_ADMIN},
    "inspections.undo_draw": {"*": LEAD_OR_ADMIN},
    "inspections.list_cases": {"*": LEAD_OR_ADMIN},
    "inspections.assign_cases": {"*": LEAD_OR_ADMIN},
    "inspections.confirm_thresholds": {"*": LEAD},
    # moderation: leads only
    "moderation.show_queue": {"*": LEAD},
    "moderation.edit_policy": {"*": LEAD},
    "moderation.show_agreement": {"*": LEAD},
    "moderation.show_case": {"* submitted": LEAD},
    "moderation.agree_grade": {"* submitted": LEAD},
    "moderation.change_grade": {"* submitted": LEAD},
    "moderation.return_to_auditor": {"* submitted": LEAD},
    "moderation.request_second_audit": {"* submitted": LEAD},
    "moderation.compare_audits": {"* submitted": LEAD},
    "moderation.show_differences": {"* submitted": LEAD},
    "moderation.reconcile_question": {"* submitted": LEAD},
    "moderation.resolve_by_reconciled_answers": {"* submitted": LEAD},
    # findings: every member reads; the lead judges
    "findings.show_national": {"*": SIGNED_IN},  # lists only the inspections each user may see
    "findings.show_national_questions": {"*": SIGNED_IN},  # as show_national
    "findings.show_dashboard": {"*": MEMBERS},
    "findings.list_graded_cases": {"*": MEMBERS},
    "findings.show_questions": {"*": MEMBERS},
    "findings.list_question_cases": {"*": MEMBERS},
    "findings.show_recommendations": {"*": MEMBERS},
    "findings.list_weak_answers": {"*": MEMBERS},
    "findings.show_chapters": {"*": MEMBERS},
    "findings.show_case_studies": {"*": MEMBERS},
    "findings.record_judgement": {"*": LEAD},
    "findings.record_chapter_judgement": {"*": LEAD.sending(query={"chapter": "Initial contact"})},
    "findings.edit_chapter_rule": {"*": LEAD},
    # evidence log and action plans: every member reads; auditors and leads change them (only
    # a lead verifies an action: tests/web/test_evidence.py)
    "evidence.list_entries": {"*": MEMBERS},
    "evidence.add_entry": {"*": EDITORS},
    "evidence.edit_entry": {"*": EDITORS},
    "evidence.delete_entry": {"*": EDITORS},
    "evidence.list_actions": {"*": MEMBERS},
    "evidence.add_action": {"*": EDITORS},
    "evidence.edit_action": {"*": EDITORS},
    "evidence.add_action_update": {"*": EDITORS},
    "evidence.delete_action": {"*": EDITORS},
    "evidence.list_redactable_texts": {"*": LEAD},
    "evidence.redact_text": {"*": LEAD},
    # exports: case data in bulk, for the lead (and an admin setting the inspection up)
    "exports.show_exports": {"*": LEAD_OR_ADMIN},
    "exports.show_report": {"*": LEAD_OR_ADMIN},
    "exports.download_workbook": {"*": LEAD_OR_ADMIN},
    "exports.download_csv": {"*": LEAD_OR_ADMIN},
    "exports.download_csv_zip": {"*": LEAD_OR_ADMIN},
    "exports.download_report_pdf": {"*": LEAD_OR_ADMIN},
    "exports.download_report_docx": {"*": LEAD_OR_ADMIN},
}


def entries_for(endpoint: str, method: str) -> dict[str, Access]:
    """The entries that apply to one method of an endpoint, by case name ("" for none)."""
    table = ACCESS[endpoint]
    found: dict[str, Access] = {}
    for wanted in (method, "*"):  # a method's own entry wins over "*"
        for key, access in table.items():
            key_method, _, case = key.partition(" ")
            if key_method == wanted:
                found.setdefault(case or "draft", access)
    return found
