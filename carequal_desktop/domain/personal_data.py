"""Finding text that could identify a child or family, before it leaves the workshop.

A position statement must never identify a child or family. These rules look for the
details that do: a person's name who is not on the team, a date of birth, a CHI number, an
address or postcode, a phone number and an email address.

Precision matters as much as recall: a check that cries wolf gets switched off. So every
rule needs a strong signal before it speaks. A name needs a title (``Mrs Brown``), a known
first name followed by a surname, an age (``Jack (aged 4)``), a family word beside it
(``his mother Mary``) or a "Baby J" style initial; a date needs a birth word beside it; a
ten-digit number needs a valid CHI check digit. Team members, agencies, places, months,
job titles and the framework's own words are never names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

KINDS: dict[str, str] = {
    "name": "a person's name",
    "date_of_birth": "a date of birth",
    "chi_number": "a CHI number",
    "address": "an address",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
}


@dataclass(frozen=True)
class Match:
    """One possible personal detail in a piece of text."""

    kind: str  # a key of KINDS
    text: str  # the words as they appear
    start: int
    end: int

    @property
    def what(self) -> str:
        return KINDS[self.kind]


# ------------------------------------------------------------------ fixed patterns

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

# UK numbers: 0 then 9 or 10 more digits, or +44 then 9 or 10, in the usual groupings.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0)"
    r"(?:\d[\s-]?){8,9}\d(?![\w])"
)

_CHI = re.compile(r"(?<![\d\w])(\d{6})[\s-]?(\d{4})(?![\d\w])")

_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKS-UW]|"
    r"[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})\b"
)

_STREET_WORDS = (
    "Street|St|Road|Rd|Avenue|Ave|Drive|Lane|Crescent|Court|Place|Gardens|Terrace|Way|"
    "Close|Grove|Square|Wynd|Brae|View|Walk|Row|Loan|Vennel|Park|Parade|Circle|Mews|Quadrant"
)
_STREET_ADDRESS = re.compile(
    r"\b(?:(?:Flat|flat)\s+\d+(?:/\d+)?,?\s+)?\d{1,4}[A-Za-z]?(?:/\d+)?,?\s+"
    r"(?:[A-Z][a-z'’]+\s+){1,3}(?:" + _STREET_WORDS + r")\b\.?"
)

_DATE = (
    r"(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
    r"[a-z]*\.?,?\s+\d{2,4}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
)
_DOB = re.compile(
    r"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born(?:\s+on)?|birth\s*date)\s*[:\-–]?\s*(?:is\s+|was\s+)?"
    + _DATE,
    re.IGNORECASE,
)

# ---------------------------------------------------------------------- names

_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Master)\.?"
_NAME_WORD = r"(?:O['’])?(?:Mac|Mc)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_TITLED = re.compile(r"\b" + _TITLE + r"\s+(" + _NAME_WORD + r")(?:\s+(" + _NAME_WORD + r"))?")
_BABY = re.compile(r"\b(?:[Bb]aby|[Cc]hild|[Ii]nfant|[Ss]ibling)\s+([A-Z])(?![\w.])(?:'s|’s)?")
_AGED = re.compile(
    r"((?:" + _NAME_WORD + r")(?:\s+(?:" + _NAME_WORD + r"))?)"
    r"\s*(?:,\s*|\(\s*)(?:aged?\s+\d{1,2}|\d{1,2}\s*(?:years?|yrs?|months?)(?:\s+old)?)(?:\s*\))?"
)
_KIN = (
    r"mother|mum|mam|father|dad|brother|sister|grandmother|grandfather|gran|granny|grandad|"
    r"aunt|auntie|uncle|stepfather|stepmother|stepdad|stepmum|step-father|step-mother|son|"
    r"daughter|cousin|half-brother|half-sister|partner|boyfriend|girlfriend|foster carer|"
    r"kinship carer|niece|nephew|wife|husband"
)
_KIN_THEN_NAME = re.compile(
    r"\b(?:" + _KIN + r")\s*,?\s+(" + _NAME_WORD + r")(?:\s+(" + _NAME_WORD + r"))?"
)
_NAME_THEN_KIN = re.compile(
    r"\b(" + _NAME_WORD + r")(?:\s+(" + _NAME_WORD + r"))?(?:'s|’s)\s+(?:" + _KIN + r")\b"
)
_PAIR = re.compile(r"\b(" + _NAME_WORD + r")\s+(" + _NAME_WORD + r")\b")

# Common first names given in Scotland; a first name followed by a capitalised surname is a
# name even with no other signal. Names that are also everyday words or months are left out.
FIRST_NAMES = frozenset(
    [
        "Aaron",
        "Abbie",
        "Abigail",
        "Adam",
        "Aidan",
        "Aileen",
        "Ailsa",
        "Aimee",
        "Alan",
        "Alana",
        "Alastair",
        "Alexander",
        "Alexandra",
        "Alfie",
        "Alice",
        "Alison",
        "Alistair",
        "Amanda",
        "Amelia",
        "Amy",
        "Andrew",
        "Angela",
        "Angus",
        "Anna",
        "Anne",
        "Annie",
        "Archie",
        "Arran",
        "Arthur",
        "Ava",
        "Barbara",
        "Ben",
        "Benjamin",
        "Beth",
        "Bethany",
        "Blair",
        "Brian",
        "Brooke",
        "Bruce",
        "Caitlin",
        "Callum",
        "Calum",
        "Cameron",
        "Carol",
        "Caroline",
        "Catherine",
        "Charlie",
        "Charlotte",
        "Chloe",
        "Christine",
        "Christopher",
        "Claire",
        "Colin",
        "Connor",
        "Craig",
        "Daniel",
        "Darren",
        "David",
        "Dean",
        "Debbie",
        "Declan",
        "Derek",
        "Donald",
        "Douglas",
        "Duncan",
        "Dylan",
        "Eilidh",
        "Elizabeth",
        "Ella",
        "Ellie",
        "Emily",
        "Emma",
        "Eric",
        "Erin",
        "Euan",
        "Eva",
        "Evie",
        "Ewan",
        "Fergus",
        "Finlay",
        "Finn",
        "Fiona",
        "Fraser",
        "Freya",
        "Gary",
        "Gavin",
        "George",
        "Gillian",
        "Gordon",
        "Graham",
        "Grant",
        "Hamish",
        "Hannah",
        "Harris",
        "Harry",
        "Harvey",
        "Heather",
        "Helen",
        "Holly",
        "Iain",
        "Ian",
        "Isaac",
        "Isla",
        "Isabella",
        "Isobel",
        "Jack",
        "Jacob",
        "Jake",
        "James",
        "Jamie",
        "Jane",
        "Janet",
        "Jason",
        "Jennifer",
        "Jessica",
        "Jill",
        "Joanne",
        "John",
        "Jordan",
        "Joseph",
        "Joshua",
        "Julie",
        "Karen",
        "Kate",
        "Katie",
        "Kayla",
        "Keira",
        "Keith",
        "Kenneth",
        "Kerr",
        "Kevin",
        "Kieran",
        "Kirsty",
        "Kyle",
        "Laura",
        "Lauren",
        "Leah",
        "Lee",
        "Leo",
        "Lewis",
        "Lexi",
        "Liam",
        "Lily",
        "Linda",
        "Lindsay",
        "Lisa",
        "Logan",
        "Lois",
        "Lorna",
        "Lorraine",
        "Louise",
        "Lucy",
        "Luke",
        "Lynn",
        "Lynne",
        "Mairi",
        "Malcolm",
        "Marie",
        "Margaret",
        "Martin",
        "Mary",
        "Matthew",
        "Megan",
        "Melissa",
        "Michael",
        "Michelle",
        "Mohammed",
        "Muhammad",
        "Morag",
        "Murray",
        "Nathan",
        "Neil",
        "Nicola",
        "Niamh",
        "Noah",
        "Oliver",
        "Olivia",
        "Oscar",
        "Paul",
        "Pauline",
        "Peter",
        "Rachel",
        "Rebecca",
        "Robert",
        "Robbie",
        "Rory",
        "Ross",
        "Ruby",
        "Ruth",
        "Ryan",
        "Sadie",
        "Sam",
        "Samuel",
        "Sandra",
        "Sarah",
        "Scott",
        "Sean",
        "Shannon",
        "Sharon",
        "Shona",
        "Sophie",
        "Stephen",
        "Steven",
        "Stewart",
        "Stuart",
        "Susan",
        "Thomas",
        "Tom",
        "Tracy",
        "Tyler",
        "Valerie",
        "Victoria",
        "William",
        "Zara",
        "Zoe",
    ]
)

# Capitalised words that are never a person's name in this work, whatever comes beside them.
NOT_NAMES = frozenset(
    [
        "A",
        "An",
        "And",
        "The",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Their",
        "They",
        "We",
        "Our",
        "Us",
        "It",
        "Its",
        "In",
        "On",
        "At",
        "Of",
        "For",
        "From",
        "To",
        "By",
        "With",
        "Without",
        "As",
        "Or",
        "But",
        "If",
        "When",
        "Where",
        "While",
        "Who",
        "Whose",
        "Which",
        "What",
        "How",
        "Why",
        "All",
        "Any",
        "Each",
        "Every",
        "Both",
        "Some",
        "Most",
        "Few",
        "Many",
        "Much",
        "More",
        "Less",
        "Not",
        "No",
        "Yes",
        "Also",
        "Only",
        "Just",
        "Then",
        "Than",
        "So",
        "Such",
        "He",
        "She",
        "His",
        "Her",
        "Him",
        "Hers",
        "Mum",
        "Dad",
        "Mother",
        "Father",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Spring",
        "Summer",
        "Autumn",
        "Winter",
        "Police",
        "Scotland",
        "Scottish",
        "Children",
        "Children's",
        "Childrens",
        "Reporter",
        "Reporter's",
        "Named",
        "Person",
        "Lead",
        "Professional",
        "Council",
        "NHS",
        "Health",
        "Board",
        "Social",
        "Work",
        "Education",
        "Partnership",
        "Community",
        "Planning",
        "Committee",
        "Protection",
        "Child",
        "Young",
        "People",
        "Person's",
        "Family",
        "Families",
        "Link",
        "Third",
        "Sector",
        "Service",
        "Services",
        "Team",
        "Unit",
        "Centre",
        "Center",
        "Hospital",
        "School",
        "Schools",
        "Primary",
        "Secondary",
        "Academy",
        "High",
        "Nursery",
        "Practice",
        "Surgery",
        "Court",
        "Hearing",
        "Hearings",
        "Panel",
        "Office",
        "Department",
        "Officer",
        "Officers",
        "Manager",
        "Managers",
        "Director",
        "Head",
        "Chief",
        "Chair",
        "Convener",
        "Inspector",
        "Detective",
        "Sergeant",
        "Constable",
        "Nurse",
        "Doctor",
        "Consultant",
        "Paediatrician",
        "Visitor",
        "Visitors",
        "Teacher",
        "Worker",
        "Workers",
        "Social",
        "Lead",
        "Leads",
        "Coordinator",
        "Co-ordinator",
        "Practitioner",
        "Psychologist",
        "Psychiatrist",
        "Midwife",
        "Midwives",
        "Quality",
        "Indicator",
        "Indicators",
        "Statement",
        "Statements",
        "Framework",
        "Evidence",
        "Action",
        "Actions",
        "Plan",
        "Plans",
        "Improvement",
        "Improvements",
        "Grade",
        "Grades",
        "Good",
        "Very",
        "Excellent",
        "Adequate",
        "Weak",
        "Unsatisfactory",
        "Strength",
        "Strengths",
        "Area",
        "Areas",
        "Key",
        "Messages",
        "Summary",
        "Conclusion",
        "Appendix",
        "Glossary",
        "Safe",
        "Together",
        "Promise",
        "The",
        "Getting",
        "Right",
        "Every",
        "Wellbeing",
        "Safety",
        "Healthy",
        "Achieving",
        "Nurtured",
        "Active",
        "Respected",
        "Responsible",
        "Included",
        "Assessment",
        "Assessments",
        "Chronology",
        "Chronologies",
        "Record",
        "Records",
        "Reading",
        "Survey",
        "Surveys",
        "Staff",
        "Focus",
        "Group",
        "Groups",
        "Meeting",
        "Meetings",
        "Case",
        "Conference",
        "Conferences",
        "Review",
        "Reviews",
        "Register",
        "Registration",
        "Registrations",
        "Referral",
        "Referrals",
        "Discussion",
        "Discussions",
        "Inter-agency",
        "Interagency",
        "Multi-agency",
        "Joint",
        "Initial",
        "Pre-birth",
        "Birth",
        "Unborn",
        "Baby",
        "Babies",
        "Early",
        "Help",
        "Support",
        "Access",
        "Risk",
        "Risks",
        "Need",
        "Needs",
        "Care",
        "Caring",
        "Looked",
        "After",
        "Kinship",
        "Foster",
        "Carer",
        "Carers",
        "Parent",
        "Parents",
        "Parenting",
        "Youth",
        "Justice",
        "Mental",
        "Domestic",
        "Abuse",
        "Neglect",
        "Exploitation",
        "Sexual",
        "Substance",
        "Alcohol",
        "Drug",
        "Drugs",
        "Trauma",
        "Informed",
        "Strategic",
        "Strategy",
        "Vision",
        "Values",
        "Aims",
        "Leadership",
        "Recruitment",
        "Training",
        "Development",
        "Commissioning",
        "Resources",
        "Performance",
        "Management",
        "Policy",
        "Policies",
        "Procedures",
        "Guidance",
        "National",
        "Local",
        "Government",
        "Ministers",
        "Minister",
        "Parliament",
        "Act",
        "Bill",
        "Inspectorate",
        "Inspection",
        "Care",
        "Report",
        "Reports",
        "Data",
        "Dataset",
        "Minimum",
        "Quarter",
        "Year",
        "Years",
        "Month",
        "Months",
        "Week",
        "Weeks",
        "Day",
        "Days",
        "Draft",
        "Final",
        "Version",
        "Status",
        "Owner",
        "Target",
        "Baseline",
        "Measure",
        "Due",
        "Complete",
        "Dropped",
        "Progress",
        "Not",
        "Started",
        "Agreed",
        "Session",
        "Sessions",
        "Room",
        "Hall",
        "Library",
        "Building",
        "House",
        "Road",
        "Street",
        "Avenue",
        "Drive",
        "Lane",
        "Place",
        "Park",
        "Gardens",
        "Square",
        "Church",
        "Centre",
        "North",
        "South",
        "East",
        "West",
        "Central",
        "Upper",
        "Lower",
        "New",
        "Old",
        "Great",
        "Little",
        "St",
        "Saint",
        "Mount",
        "Glen",
        "Loch",
        "Ben",
        "Isle",
        "Island",
        "Islands",
        "Highland",
        "Highlands",
        "Lowlands",
        "Fife",
        "Glasgow",
        "Edinburgh",
        "Aberdeen",
        "Dundee",
        "Inverness",
        "Stirling",
        "Perth",
        "Ayrshire",
        "Lanarkshire",
        "Lothian",
        "Borders",
        "Dumfries",
        "Galloway",
        "Argyll",
        "Bute",
        "Moray",
        "Angus",
        "Falkirk",
        "Clackmannanshire",
        "Renfrewshire",
        "Dunbartonshire",
        "Inverclyde",
        "Orkney",
        "Shetland",
        "Western",
        "Eilean",
        "Siar",
        "England",
        "Wales",
        "Ireland",
        "Britain",
        "UK",
        "Europe",
        "British",
        "English",
        "Gaelic",
        "Polish",
        "Arabic",
        "Urdu",
        "Punjabi",
        "Romanian",
        "Family",
        "Link",
        "Barnardo's",
        "Aberlour",
        "Action",
        "Who",
        "Cares",
        "Children1st",
        "NSPCC",
        "Befrienders",
        "Women's",
        "Aid",
        "Microsoft",
        "Teams",
        "Zoom",
        "Word",
        "Excel",
        "SWIFT",
        "Mosaic",
        "EMIS",
        "TrakCare",
        "Vision",
        "Strength",
        "Weakness",
        "Weaknesses",
        "Context",
        "Scope",
        "Method",
        "Introduction",
        "Contents",
        "Figure",
        "Table",
        "Mrs",
        "Mr",
        "Ms",
        "Miss",
        "Dr",
        "Mx",
        "Master",
        "Sir",
        "Lady",
        "Lord",
        "Dame",
        "Professor",
        "Prof",
        "Rev",
        "Reverend",
        "Cllr",
        "Councillor",
        "University",
        "College",
        "Institute",
        "Campus",
        "Lodge",
        "Cottage",
        "Award",
        "Fund",
        "Clinic",
        "Ward",
        "Building",
        "Trust",
    ]
)

_WEAK_FIRST_NAMES = frozenset(
    {
        "Will",
        "May",
        "June",
        "April",
        "August",
        "Mark",
        "Bill",
        "Frank",
        "Grace",
        "Hope",
        "Faith",
        "Joy",
        "Rose",
        "Summer",
        "Amber",
        "Iris",
        "Dawn",
        "Robin",
        "Sandy",
        "Angus",
        "Murray",
        "Grant",
        "Ross",
        "Kerr",
        "Lee",
        "Blair",
        "Harris",
        "Stewart",
        "Lewis",
        "Cameron",
        "Logan",
        "Fraser",
        "Craig",
        "Douglas",
        "Gordon",
        "Scott",
    }
)


# Any one of these words must be present before the name rules run at all.
_NAME_SIGNALS = frozenset(
    {
        "Mr",
        "Mrs",
        "Ms",
        "Miss",
        "Mx",
        "Master",
        "Baby",
        "baby",
        "Child",
        "child",
        "Infant",
        "infant",
        "Sibling",
        "sibling",
        "aged",
        "age",
        "years",
        "year",
        "yrs",
        "yr",
        "months",
        "month",
    }
    | {w.split()[0].split("-")[0] for w in _KIN.split("|")}
    | FIRST_NAMES
)
_WORD_RUN = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Context:
    """What the checker knows about this workshop: who is on the team, and its own words.

    ``team`` holds the names of participants and the facilitator; ``vocabulary`` holds words
    from agencies, places, the partnership's name, roles and the framework, all of which are
    allowed to look like names.
    """

    team_words: frozenset[str] = frozenset()
    vocabulary: frozenset[str] = frozenset()

    @classmethod
    def build(cls, team: Iterable[str], vocabulary_texts: Iterable[str]) -> Context:
        team_words: set[str] = set()
        for name in team:
            team_words.update(_words(name))
        vocab: set[str] = set()
        for text in vocabulary_texts:
            vocab.update(_words(text))
        return cls(frozenset(team_words), frozenset(vocab))

    def allowed(self, word: str) -> bool:
        """A word that is never treated as part of a person's name here."""
        bare = _bare(word)
        return (
            bare in NOT_NAMES
            or bare in self.team_words
            or bare in self.vocabulary
            or bare.upper() == bare  # an abbreviation: CAMHS, IRD
        )


def _bare(word: str) -> str:
    return re.sub(r"(?:'s|’s)$", "", word).strip(".,;:()'’\"")


def _words(text: str) -> list[str]:
    return [_bare(w) for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", text) if w[:1].isupper()]


# ------------------------------------------------------------------------ CHI


def valid_chi(digits: str) -> bool:
    """Ten digits whose first six are a real date (ddmmyy) and whose last is the mod-11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    try:
        dt.date(2000 + year, month, day)
    except ValueError:
        try:
            dt.date(1900 + year, month, day)
        except ValueError:
            return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# ---------------------------------------------------------------------- finding


def find_personal_data(text: str, context: Context | None = None) -> list[Match]:
    """Every possible personal detail in ``text``, in order, none overlapping another."""
    if not text:
        return []
    context = context or Context()
    found: list[Match] = []

    def add(kind: str, start: int, end: int) -> None:
        value = text[start:end].strip().rstrip(".,;:")
        if value:
            found.append(Match(kind, value, start, start + len(value)))

    # Cheap gates first: most text has no digit, no "@" and no name signal at all, and the
    # check must run over thousands of evidence items in well under a second.
    if "@" in text:
        for m in _EMAIL.finditer(text):
            add("email", m.start(), m.end())
    if _DIGIT.search(text) is not None:
        _find_numbers(text, add)
    if not _NAME_SIGNALS.isdisjoint(_WORD_RUN.findall(text)):
        _find_names(text, context, add)
    return _without_overlaps(found)


_DIGIT = re.compile(r"\d")


def _find_numbers(text: str, add: Callable[[str, int, int], None]) -> None:
    """Dates of birth, CHI numbers, phone numbers, postcodes and street addresses."""
    low = text.lower()
    if "birth" in low or "born" in low or "dob" in low or "d.o.b" in low:
        for m in _DOB.finditer(text):
            add("date_of_birth", m.start(), m.end())
    for m in _CHI.finditer(text):
        if valid_chi(m.group(1) + m.group(2)):
            add("chi_number", m.start(), m.end())
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits.startswith("44"):
            digits = "0" + digits[2:].lstrip("0")
        if len(digits) in (10, 11) and digits[1] in "1237" and not _looks_like_range(m.group(0)):
            add("phone", m.start(), m.end())
    for m in _POSTCODE.finditer(text):
        add("postcode", m.start(), m.end())
    for m in _STREET_ADDRESS.finditer(text):
        words = re.findall(r"[A-Z][a-z'’]+", m.group(0))
        if words and not all(w in ("Flat",) for w in words):
            add("address", m.start(), m.end())


def _looks_like_range(raw: str) -> bool:
    """ "2025-2026 2027" style runs of years are not phone numbers."""
    return bool(re.fullmatch(r"(?:(?:19|20)\d\d[\s-]?)+", raw.strip()))


def _name_ok(words: list[str | None], context: Context) -> bool:
    present = [w for w in words if w]
    return bool(present) and not any(context.allowed(w) for w in present)


def _find_names(text: str, context: Context, add: Callable[[str, int, int], None]) -> None:
    for m in _TITLED.finditer(text):
        surname = m.group(1)
        if not context.allowed(surname) and (m.group(2) is None or not _team(m.group(2), context)):
            end = m.end(2) if m.group(2) and not context.allowed(m.group(2)) else m.end(1)
            add("name", m.start(), end)
    for m in _BABY.finditer(text):
        add("name", m.start(), m.end(1))
    for m in _AGED.finditer(text):
        words = [m.group(1)] if " " not in m.group(1) else m.group(1).split()
        names = [w for w in words if not context.allowed(w)]
        if names and len(names) == len(words):
            add("name", m.start(1), m.end())
        elif names and not context.allowed(words[-1]):
            start = m.start(1) + m.group(1).rindex(words[-1])
            add("name", start, m.end())
    for m in _KIN_THEN_NAME.finditer(text):
        first, second = m.group(1), m.group(2)
        if _name_ok([first], context):
            end = m.end(2) if second and not context.allowed(second) else m.end(1)
            add("name", m.start(1), end)
    for m in _NAME_THEN_KIN.finditer(text):
        first, second = m.group(1), m.group(2)
        candidate = [first, second] if second else [first]
        if _name_ok(candidate, context):
            add("name", m.start(1), m.end(2) if second else m.end(1))
        elif (
            second and _name_ok([second], context) and context.allowed(first) and first in NOT_NAMES
        ):
            add("name", m.start(2), m.end(2))
    pos = 0
    while (pair := _PAIR.search(text, pos)) is not None:
        m = pair
        first, surname = m.group(1), m.group(2)
        if (
            first in FIRST_NAMES
            and first not in _WEAK_FIRST_NAMES
            and not (first in context.team_words and surname in context.team_words)
            and not context.allowed(surname)
            and not _followed_by_place_word(text, m.end())
        ):
            add("name", m.start(), m.end())
            pos = m.end()
        else:
            pos = m.start(2)


_PLACE_FOLLOWERS = re.compile(
    r"\s+(?:" + _STREET_WORDS + r"|(?i:Centre|House|School|Primary|Academy|Hospital|Unit|Hall|"
    r"Surgery|Practice|Court|Nursery|Library|Church|Project|Service|Trust|Foundation|"
    r"University|College|Institute|Campus|Building|Lodge|Award|Fund|Ward|Clinic))\b"
)


def _followed_by_place_word(text: str, end: int) -> bool:
    return _PLACE_FOLLOWERS.match(text, end) is not None


def _team(word: str, context: Context) -> bool:
    return _bare(word) in context.team_words


def _without_overlaps(found: list[Match]) -> list[Match]:
    """Keep the first (by the order of the rules above) of any overlapping matches."""
    kept: list[Match] = []
    for match in found:
        if any(match.start < k.end and k.start < match.end for k in kept):
            continue
        kept.append(match)
    return sorted(kept, key=lambda m: m.start)
