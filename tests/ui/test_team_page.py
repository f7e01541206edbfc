"""The "Workshop and team" page: details autosave, participants and sessions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate

from carequal_desktop.domain.vocabulary import COMMON_AGENCIES
from carequal_desktop.ui.team_page import ParticipantDialog, SessionDialog, TeamPage


@pytest.fixture
def page(qtbot, new_service):  # type: ignore[no-untyped-def]
    page = TeamPage(new_service)
    qtbot.addWidget(page)
    page.show()
    return page


def _answer(monkeypatch, dialog_class, **values):  # type: ignore[no-untyped-def]
    """Make the dialog's exec() fill in ``values`` and press OK."""

    def fill(dialog):  # type: ignore[no-untyped-def]
        for name, value in values.items():
            widget = getattr(dialog, name)
            if hasattr(widget, "setDate"):
                widget.setDate(value)
            elif hasattr(widget, "setEditText"):
                widget.setEditText(value)
            elif hasattr(widget, "setPlainText"):
                widget.setPlainText(value)
            else:
                widget.setText(value)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(dialog_class, "exec", fill)


def test_details_are_shown_and_autosaved(qtbot, page, new_service):
    assert page.title_edit.text() == "Test workshop"
    assert page.partnership_edit.text() == "Testshire partnership"
    assert "2019" in page.framework_label.text()
    qtbot.keyClicks(page.context_edit, "A rural partnership.")
    qtbot.waitUntil(lambda: new_service.details().context == "A rural partnership.", timeout=3000)
    page.facilitator_edit.setFocus()
    qtbot.keyClicks(page.facilitator_edit, "Morag")
    page.flush()
    assert new_service.details().facilitator == "Morag"


def test_empty_title_is_refused_and_restored(qtbot, page, new_service, boxes):
    page.title_edit.selectAll()
    qtbot.keyClick(page.title_edit, "\b")
    page.flush()
    assert boxes and "title" in boxes[-1][1]
    assert new_service.details().title == "Test workshop"
    assert page.title_edit.text() == "Test workshop"


def test_add_participants_with_common_and_free_text_agencies(monkeypatch, page, new_service):
    dialog = ParticipantDialog(page)
    offered = [dialog.agency_combo.itemText(i) for i in range(dialog.agency_combo.count())]
    assert offered[: len(COMMON_AGENCIES)] == list(COMMON_AGENCIES)
    dialog.deleteLater()

    _answer(
        monkeypatch,
        ParticipantDialog,
        name_edit="Ailsa Grant",
        agency_combo="Police Scotland",
        role_edit="Detective inspector",
    )
    page.add_participant_button.click()
    _answer(
        monkeypatch,
        ParticipantDialog,
        name_edit="Sam Reid",
        agency_combo="Strathcairn Women's Aid",
        role_edit="Manager",
    )
    page.add_participant_button.click()

    people = new_service.participants()
    assert [(p.name, p.agency, p.role) for p in people] == [
        ("Ailsa Grant", "Police Scotland", "Detective inspector"),
        ("Sam Reid", "Strathcairn Women's Aid", "Manager"),
    ]
    assert page.participants_table.rowCount() == 2
    assert "2 participants from 2 agencies" in page.agencies_label.text()


def test_edit_and_delete_participant(monkeypatch, page, new_service, boxes):
    person = new_service.add_participant("Jo", "NHS board", "Nurse")
    page.refresh()
    page.participants_table.selectRow(0)
    _answer(monkeypatch, ParticipantDialog, role_edit="Lead nurse")
    page.edit_participant_button.click()
    assert new_service.participants()[0].role == "Lead nurse"

    page.participants_table.selectRow(0)
    boxes.answer = False
    page.delete_participant_button.click()
    assert len(new_service.participants()) == 1
    boxes.answer = True
    page.delete_participant_button.click()
    assert new_service.participants() == []
    assert person.name in boxes.texts()[-1]


def test_sessions_add_edit_delete(monkeypatch, page, new_service, boxes):
    _answer(
        monkeypatch,
        SessionDialog,
        date_edit=QDate(2026, 5, 12),
        place_edit="Council chambers",
        notes_edit="Indicators 5.1 to 5.4",
    )
    page.add_session_button.click()
    (session,) = new_service.sessions()
    assert (session.date, session.place, session.notes) == (
        "2026-05-12",
        "Council chambers",
        "Indicators 5.1 to 5.4",
    )
    assert page.sessions_table.item(0, 0).text() == "2026-05-12"

    page.sessions_table.selectRow(0)
    _answer(monkeypatch, SessionDialog, place_edit="Health centre")
    page.edit_session_button.click()
    assert new_service.sessions()[0].place == "Health centre"

    page.sessions_table.selectRow(0)
    boxes.answer = True
    page.delete_session_button.click()
    assert new_service.sessions() == []
    assert page.sessions_table.rowCount() == 0
