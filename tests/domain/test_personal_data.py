"""Personal data detection: what must be found, and what must never be flagged."""

from __future__ import annotations

import pytest

from carequal_desktop.domain.personal_data import Context, find_personal_data, valid_chi

CONTEXT = Context.build(
    team=["Fiona MacLeod", "Dr Ruth Kerr", "DI Stuart Reid", "Graham Dunbar"],
    vocabulary_texts=[
        "Strathcairn Council social work",
        "Cambridge Community Centre, Room 2",
        "Strathcairn Family Link",
        "Dalmore Academy",
    ],
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(m.kind, m.text) for m in find_personal_data(text, CONTEXT)]


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Baby J was referred at four weeks.", "name", "Baby J"),
        ("Jack Smith (aged 4) was seen at home.", "name", "Jack Smith (aged 4)"),
        ("We spoke to Mrs Paterson about the plan.", "name", "Mrs Paterson"),
        ("Mr Khan said the social worker listened.", "name", "Mr Khan"),
        ("Child X's mother Mary felt listened to.", "name", "Mary"),
        ("his mother, Mary Donnelly, attended", "name", "Mary Donnelly"),
        ("Kayleigh's gran asked for help.", "name", "Kayleigh"),
        ("Olivia Brown told us she felt safe.", "name", "Olivia Brown"),
        ("Ryan, aged 15, was missing twice.", "name", "Ryan, aged 15"),
        ("DOB 12/03/2015", "date_of_birth", "DOB 12/03/2015"),
        ("d.o.b. 3 March 2016", "date_of_birth", "d.o.b. 3 March 2016"),
        ("She was born on 4th June 2019 in Glasgow.", "date_of_birth", "born on 4th June 2019"),
        ("date of birth: 2014-07-01", "date_of_birth", "date of birth: 2014-07-01"),
        ("CHI 1204151237 was on the referral.", "chi_number", "1204151237"),
        ("CHI 120415 1237", "chi_number", "120415 1237"),
        ("The family moved to 12 Main Street last year.", "address", "12 Main Street"),
        ("Flat 2/1, 45 Kelvin Road", "address", "Flat 2/1, 45 Kelvin Road"),
        ("They live at G12 8QQ now.", "postcode", "G12 8QQ"),
        ("postcode EH1 1YZ", "postcode", "EH1 1YZ"),
        ("Call 07700 900123 after six.", "phone", "07700 900123"),
        ("Phone 0141 496 0000.", "phone", "0141 496 0000"),
        ("Ring +44 7700 900456", "phone", "+44 7700 900456"),
        ("Email mum@example.com please.", "email", "mum@example.com"),
    ],
)
def test_found(text, kind, found):
    assert (kind, found) in kinds(text), kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Police Scotland and the Children's Reporter attended every IRD.",
        "The Named Person and the Lead Professional shared the child's plan.",
        "Fiona MacLeod facilitated; Dr Ruth Kerr and DI Stuart Reid took part.",
        "Graham Dunbar's team read 60 records (E14, E15) in May 2026.",
        "Most (82%) of 642 respondents agreed; see indicator 2.1 and action 1.2.",
        "The team met on 12 May 2026 at Cambridge Community Centre, Room 2.",
        "Sessions: Tuesday 15 September 2026 and Tuesday 6 October 2026.",
        "Registrations 2023-2024 2025 rose from 41 to 57 (a 39% rise).",
        "Strathcairn Family Link ran groups for mothers and fathers in Dalmore Academy.",
        "Safe and Together training for 40 staff; The Promise; GIRFEC; UNCRC.",
        "A child's mother and father were invited to every case conference.",
        "Babies born in the area are seen by a health visitor within 14 days.",
        "We do not record a date of birth in the minimum dataset.",
        "The CPC agreed the plan in March 2026; 1234567890 referrals is not a real figure.",
        "Health Visitor, School Nurse and Social Worker roles were recruited.",
        "Child Protection Committee, Chief Officers Group and the HSCP.",
        "Quality Indicator 5.3 Care planning, managing risk and effective intervention.",
        "Staff in Council Education and NHS Highland answered the survey.",
        "Grade 4 Good; the Very Good grade was not agreed.",
        "About 1 in 3 parents (33%) said they had waited over 18 weeks.",
        "On 2026-05-12 the team met; next on 2026-06-09.",
        "The E14 2.1 reference and 5.2 link both hold.",
        "Ward 2, Royal Hospital for Children.",
        "May Monday meetings were moved.",
        "Mark the actions as complete; Will the board agree?",
        "Head Teacher Primary School Nursery Class.",
        "Young people aged 16 to 18 told us they felt listened to.",
        "Children aged 5 and under were seen within 28 days.",
    ],
)
def test_not_flagged(text):
    assert kinds(text) == []


def test_chi_check_digit():
    assert valid_chi("1204151237")
    assert not valid_chi("1204151236")  # wrong check digit
    assert not valid_chi("3213151237")  # no 32nd day
    assert not valid_chi("12041512")


@pytest.mark.parametrize(
    "text",
    [
        "Queen Margaret University ran the training.",
        "Staff from Robert Gordon University and the Andrew Carnegie building.",
        "Heather Lodge residential unit and Mary Erskine School.",
        "St Mary's Primary School took part; Lewis Street surgery; William Street.",
        "Angus Council, Lewis and Harris, Ruby ward, June 2026 figures.",
    ],
)
def test_institutions_named_after_people_are_not_flagged(text):
    assert kinds(text) == []
