"""Build the bundled demo workshop for CareQual Desktop.

Writes resources/demo/demo-workshop.json in the workshop exchange format (version 1).

The partnership, its agencies, people and findings are fictional. Strathcairn is not a
real Scottish council area; no child or family is described, only services and
aggregated results. The "framework" member is copied from
resources/frameworks/qf2019.json so the demo stays in step with the shipped framework.

Every id is a UUID derived (uuid5) from a fixed namespace and a stable name, so running
the script again gives a byte-identical file.

Usage:
    python tools/make_demo.py [--framework PATH] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK_PATH = ROOT / "resources" / "frameworks" / "qf2019.json"
OUTPUT_PATH = ROOT / "resources" / "demo" / "demo-workshop.json"

# Fixed namespace for every id in the demo. Do not change it: ids would all change.
NAMESPACE = uuid.UUID("284abfe2-fad5-4613-883f-cf52387b6e39")


def uid(name: str) -> str:
    """A stable UUID for one record of the demo."""
    return str(uuid.uuid5(NAMESPACE, name))


# ---------------------------------------------------------------------------
# Agencies and people
# ---------------------------------------------------------------------------

SOCIAL_WORK = "Strathcairn Council social work"
EDUCATION = "Strathcairn Council education"
NHS = "NHS Strathcairn"
POLICE = "Police Scotland"
FAMILY_LINK = "Strathcairn Family Link"  # third-sector family support organisation
CPC = "Strathcairn child protection committee"
SCRA = "Scottish Children's Reporter Administration"
PARTNERSHIP = "Strathcairn children's services partnership"

# key: (name, agency, role)
PARTICIPANTS = {
    "fiona": (
        "Fiona MacLeod",
        SOCIAL_WORK,
        "Facilitator; quality assurance and improvement lead, children's services",
    ),
    "graham": (
        "Graham Dunbar",
        SOCIAL_WORK,
        "Child protection lead officer, Strathcairn child protection committee",
    ),
    "aileen": (
        "Aileen Murray",
        EDUCATION,
        "Quality improvement officer, inclusion and wellbeing (named person lead)",
    ),
    "ruth": (
        "Dr Ruth Kerr",
        NHS,
        "Consultant paediatrician and lead doctor for child protection",
    ),
    "karen": (
        "Karen Sutherland",
        NHS,
        "Lead nurse, child protection (health visiting and school nursing)",
    ),
    "stuart": (
        "DI Stuart Reid",
        POLICE,
        "Detective inspector, public protection unit, Strathcairn",
    ),
    "mairi": (
        "Mairi Campbell",
        FAMILY_LINK,
        "Service manager, family support and young people's participation",
    ),
}

# ---------------------------------------------------------------------------
# The workshop
# ---------------------------------------------------------------------------

WORKSHOP = {
    "title": "Joint self-evaluation 2026: services for children and young people at risk of harm",
    "partnership": "Strathcairn community planning partnership",
    "scope": (
        "Children and young people up to the age of 18 who are at risk of harm from abuse, "
        "neglect or exploitation, including unborn babies and young people at risk from "
        "extra-familial harm or from their own behaviour, and their parents and carers. "
        "The self-evaluation covers the work of Strathcairn Council (children and families "
        "social work and education), NHS Strathcairn, Police Scotland, the Scottish Children's "
        "Reporter Administration and commissioned third-sector services, and the leadership "
        "of the child protection committee (CPC) and chief officers group (COG)."
    ),
    "context": (
        "Strathcairn is a mixed urban and rural council area with a population of about "
        "128,400, of whom around 24,300 are under 18. The county town, Cairnbridge, and the "
        "former mining communities around Inverallan include some of the most deprived data "
        "zones in Scotland, while the Dalmorrie glens to the north are sparsely populated "
        "and far from most services. At 31 July 2026, 46 children's names were on the child "
        "protection register, a rate of 2.1 per 1,000 children aged 0 to 15, close to the "
        "Scottish rate. Domestic abuse and parental substance use are the most common "
        "concerns recorded at registration.\n\n"
        "The COG asked the CPC's quality assurance subgroup to lead this self-evaluation "
        "ahead of the next joint inspection. A multi-agency team of seven, drawn from "
        "social work, education, NHS Strathcairn, Police Scotland and Strathcairn Family "
        "Link, met in four workshop sessions between September and November 2026 and "
        "worked through all 22 quality indicators of the Care Inspectorate's quality "
        "framework for children and young people in need of care and protection (2019). "
        "The team drew on a multi-agency staff survey (611 responses), surveys of children "
        "and young people (74) and of parents and carers (52), a joint reading of 60 "
        "children's records by 18 trained readers from four agencies, performance data, "
        "focus groups, documents and the observation of inter-agency referral discussions "
        "(IRDs) and planning meetings. Evidence is referenced throughout as E1 to E40. No "
        "child or family can be identified from this statement."
    ),
    "facilitator": "Fiona MacLeod",
}
CREATED = "2026-09-01T10:15:00Z"

# Workshop sessions held. Evaluations and evidence below say in which session they were
# last changed; their "updated" timestamps are derived from these dates.
SESSIONS = [
    {
        "date": "2026-09-15",
        "place": "Cairnbridge Community Centre, Room 2",
        "notes": (
            "Introductions, the quality framework and the six-point scale. Agreed the "
            "evidence plan and who brings what. Started statement 1: indicators 5.1 and 5.2."
        ),
    },
    {
        "date": "2026-10-06",
        "place": "Inverallan Health Centre, seminar room",
        "notes": (
            "Findings of the May 2026 joint record reading presented by the CPC lead "
            "officer. Statement 2: indicators 1.1, 2.1, 2.2 and 5.3. No wifi in the room; "
            "worked offline from the laptop."
        ),
    },
    {
        "date": "2026-10-27",
        "place": "Dalmorrie Academy, library",
        "notes": (
            "Statement 3 with feedback from the young people's and parents' focus groups "
            "(Strathcairn Family Link). Indicators 5.4 and 6.3 started; staff indicators "
            "3.1, 7.1 and 7.2."
        ),
    },
    {
        "date": "2026-11-17",
        "place": "Cairnbridge Community Centre, Room 2",
        "notes": (
            "Statement 4: leadership, planning and quality assurance. Grades agreed for 6.1, "
            "6.4, 7.2, 9.1 and 9.2; dissent on 5.3 recorded. Improvement plan reviewed and "
            "overdue actions flagged for the CPC. Still to finish: 5.4, 6.2, 6.3, 7.1, 8.1, "
            "9.3 and 9.4; not yet started: 4.1, 8.2 and 10.1."
        ),
    },
]

SESSION_TIMES = {1: "15:40", 2: "15:55", 3: "16:10", 4: "16:25"}


def session_stamp(session: int, minute_offset: int = 0) -> str:
    """Timestamp during a session's afternoon (UTC), offset by a few minutes."""
    date = SESSIONS[session - 1]["date"]
    hours, minutes = (int(p) for p in SESSION_TIMES[session].split(":"))
    total = hours * 60 + minutes + minute_offset
    return f"{date}T{total // 60:02d}:{total % 60:02d}:00Z"


# ---------------------------------------------------------------------------
# Evaluations: the three self-evaluation questions for each indicator
# ---------------------------------------------------------------------------
# proposed_grades are (participant key, grade, note); the agency comes from the participant.

EVALUATIONS = [
    {
        "indicator": "1.1",
        "status": "agreed",
        "grade": 4,
        "previous_grade": 4,
        "session": 2,
        "how_good_now": (
            "Children and young people at risk of harm in Strathcairn are, in general, safer "
            "as a result of the help they receive. Few children whose names were removed from "
            "the child protection register were registered again within 18 months, and most "
            "children and young people who answered our survey said they felt safe where they "
            "live. Progress is slower for children who have lived with neglect for a long "
            "time. We cannot yet show improvement in wider wellbeing, such as school "
            "attendance or health, because our data describe processes rather than outcomes."
        ),
        "strengths": [
            "Few re-registrations within 18 months (6%)",
            "Most children with a child's plan feel safe where they live",
            "IRDs held within timescale in most cases",
        ],
        "areas_for_improvement": [
            "No outcome measures for wellbeing beyond safety",
            "Slower progress for children experiencing long-term neglect",
        ],
        "how_do_we_know": (
            "Child protection minimum dataset for 2025–26 (E17, E18) and IRD performance data "
            "(E16), checked against the 2026 children and young people's survey (E5). The "
            "joint record reading found the initial response kept children safe in most "
            "records read (E12). We do not yet link wellbeing outcomes such as attendance or "
            "health checks to the children we support."
        ),
        "what_next": (
            "Build wellbeing outcome measures, based on the eight wellbeing indicators, into "
            "the multi-agency dataset (action 4.1), and follow up for 12 months the children "
            "whose names are registered because of neglect."
        ),
        "rationale": (
            "Important strengths in keeping children safe, shown by several kinds of evidence "
            "from several agencies. The team could not evidence wider improvement in life "
            "chances, so the grade stays at good rather than very good."
        ),
    },
    {
        "indicator": "2.1",
        "status": "agreed",
        "grade": 4,
        "previous_grade": 3,
        "session": 2,
        "how_good_now": (
            "Almost all children and young people who answered our survey said they had a "
            "worker they trusted, and young people in the focus group described workers who "
            "stuck with them through difficult times. Most said they felt safe where they "
            "live. However, less than half felt listened to in meetings about them, and in "
            "the records we read the difference help made to younger children was harder to "
            "see. Children's experiences were better when they kept the same lead "
            "professional."
        ),
        "strengths": [
            "Almost all children have a worker they trust (91%)",
            "Stable, trusting relationships valued by young people",
            "Most children feel safe where they live (86%)",
        ],
        "areas_for_improvement": [
            "Less than half of children feel listened to in meetings (47%)",
            "Impact of help on younger children not clearly recorded",
        ],
        "how_do_we_know": (
            "Children and young people's survey 2026 with 74 respondents (E5, E6, E7); focus "
            "group with nine young people run by Strathcairn Family Link (E25); joint record "
            "reading of 60 records (E14)."
        ),
        "what_next": (
            "Improve how children's views are heard and recorded in meetings (action 3.1) "
            "and repeat the same survey questions in spring 2027 to measure change."
        ),
        "rationale": (
            "Survey, focus group and record reading agree on important strengths in "
            "relationships and safety. The weaker findings on children feeling heard are "
            "significant but do not outweigh them. Improved from adequate in 2024."
        ),
        "proposed_grades": [
            ("graham", 4, None),
            ("ruth", 4, None),
            ("stuart", 4, None),
            ("aileen", 4, None),
            (
                "mairi",
                3,
                "Young people in our focus group were more critical than the survey "
                "suggests, especially about meetings.",
            ),
        ],
    },
    {
        "indicator": "2.2",
        "status": "agreed",
        "grade": 4,
        "session": 2,
        "how_good_now": (
            "Most parents and carers who answered our survey said workers acted quickly when "
            "concerns were first raised, and the majority understood their child's plan and "
            "what was expected of them. Parents in the focus group valued practical help "
            "from family support workers, but some described child protection meetings as "
            "intimidating and said reports arrived too late to read. Fathers and male carers "
            "are less often involved than mothers."
        ),
        "strengths": [
            "Most parents say workers acted quickly (79%)",
            "Practical family support valued by parents",
            "Safe and Together helping staff to work alongside non-abusing parents",
        ],
        "areas_for_improvement": [
            "Reports shared with parents too late before meetings",
            "Fathers and male carers not consistently involved",
        ],
        "how_do_we_know": (
            "Parents' and carers' survey 2026 with 52 respondents (E8, E9); parents' focus "
            "group (E26); complaints and compliments about children's services (E40)."
        ),
        "what_next": (
            "Agree a standard that reports reach parents at least three working days before "
            "a child protection planning meeting, and include the involvement of fathers in "
            "the next joint record reading."
        ),
        "rationale": (
            "Parents give consistently positive messages about responsiveness and support. "
            "The areas for improvement are specific and within our control."
        ),
    },
    {
        "indicator": "3.1",
        "status": "agreed",
        "grade": 3,
        "previous_grade": 4,
        "session": 3,
        "how_good_now": (
            "Most staff told us they feel well supported by their line manager, and staff "
            "value the close working relationships between agencies in Strathcairn. However, "
            "less than half said they had been asked for their views on how services could "
            "improve. Social workers in the Dalmorrie locality described heavy workloads "
            "caused by vacancies and long journeys, and staff wellbeing has fallen since our "
            "last self-evaluation."
        ),
        "strengths": [
            "Most staff feel well supported by their line manager (84%)",
            "Close working relationships across agencies",
        ],
        "areas_for_improvement": [
            "Less than half of staff asked for their views on improvement (38%)",
            "Workload pressure in the rural Dalmorrie teams",
        ],
        "how_do_we_know": (
            "Staff survey 2026 with 611 respondents (E2, E3); focus groups with health "
            "visitors and school nurses (E27) and with Dalmorrie social workers (E28); "
            "vacancy data (E23)."
        ),
        "what_next": (
            "Staff engagement sessions led by chief officers (action 4.3) and a rural "
            "workforce plan (action 4.4)."
        ),
        "rationale": (
            "Strengths just outweigh weaknesses. Support from managers is good, but the "
            "workload and engagement findings are significant and worse than in 2024, so the "
            "team lowered the grade from good to adequate."
        ),
    },
    {
        "indicator": "4.1",
        "status": "not_started",
        "previous_grade": 4,
        "session": 4,
        "how_good_now": (
            "Not yet discussed. First note: the 2025 citizens' panel suggests the majority "
            "of residents would know how to report a concern about a child."
        ),
        "strengths": ["The majority of residents would know how to report a concern (68%)"],
        "areas_for_improvement": ["Results not yet broken down by locality"],
        "how_do_we_know": "Citizens' panel survey 2025 (E36).",
    },
    {
        "indicator": "5.1",
        "status": "agreed",
        "grade": 5,
        "previous_grade": 4,
        "session": 1,
        "how_good_now": (
            "Children and families get help early and from the right people. In all the "
            "records we read where a child had a named person, the named person was told "
            "about concerns at an early stage, and most parents said workers acted quickly. "
            "Head teachers described a well-understood route for requesting extra help, and "
            "the Family Link early-help service takes referrals without a waiting list. "
            "Access to CAMHS has improved, but most rather than almost all children are seen "
            "within 18 weeks, and less than half of pre-birth referrals are made before 24 "
            "weeks of pregnancy."
        ),
        "strengths": [
            "Named person informed early in all relevant records read",
            "Route to early help well understood by named persons",
            "Most parents say help came quickly (79%)",
            "No waiting list for the Family Link early-help service",
        ],
        "areas_for_improvement": [
            "Late pre-birth referrals (41% before 24 weeks)",
            "CAMHS waiting times below the 90% standard",
        ],
        "how_do_we_know": (
            "Joint record reading (E12, E15); parents' and carers' survey (E8); focus group "
            "with named persons (E29); CAMHS waiting times (E20) and pre-birth referral data "
            "from maternity services (E21)."
        ),
        "what_next": (
            "Revise the pre-birth pathway with maternity services (action 1.2) and continue "
            "the CAMHS waiting times improvement (action 2.4)."
        ),
        "rationale": (
            "Major strengths in early help, evidenced by education, health, social work and "
            "the third sector. The two weaknesses affect particular groups and have actions "
            "in hand."
        ),
        "proposed_grades": [
            ("aileen", 5, None),
            ("karen", 4, "The pre-birth referral data concern us; babies are the most at risk."),
            ("graham", 5, None),
            ("stuart", 5, None),
            ("mairi", 5, None),
        ],
    },
    {
        "indicator": "5.2",
        "status": "agreed",
        "grade": 4,
        "previous_grade": 3,
        "session": 1,
        "how_good_now": (
            "The immediate response to concerns is a strength. IRDs are held within timescale "
            "in most cases, and the quality of the initial response was rated good or better "
            "in most records read. In the IRDs we observed, police, social work, health and "
            "education shared information well and decisions were clear. Chronologies are a "
            "weakness: less than half were rated good or better, and they did not always show "
            "how concerns were building up over time, particularly where there was neglect."
        ),
        "strengths": [
            "Most IRDs held within timescale (88%)",
            "Initial response good or better in most records read (82%)",
            "Education takes part in IRDs for children of school age",
        ],
        "areas_for_improvement": [
            "Less than half of chronologies good or better (45%)",
            "Accumulating concern about neglect not always recognised",
        ],
        "how_do_we_know": (
            "IRD performance data (E16); joint record reading (E11, E12); staff survey (E1, "
            "E4); observation of five IRDs (E37)."
        ),
        "what_next": (
            "Multi-agency chronology guidance and briefings (action 1.1); monthly "
            "multi-agency review of IRD quality, now in place (action 1.3)."
        ),
        "rationale": (
            "Important strengths in the immediate response. The weakness in chronologies is "
            "significant enough to hold the grade at good."
        ),
        "proposed_grades": [
            ("stuart", 5, "IRD timescales improved from 79% in 2024–25 to 88% in 2025–26."),
            ("graham", 4, None),
            ("ruth", 4, None),
            ("aileen", 4, None),
        ],
    },
    {
        "indicator": "5.3",
        "status": "agreed",
        "grade": 3,
        "previous_grade": 3,
        "session": 2,
        "how_good_now": (
            "Every child in the record reading sample who needed one had a child's plan and "
            "a lead professional, and core groups met regularly. The quality of plans "
            "varies: the majority were rated good or better, but many listed services rather "
            "than the outcomes the child needed. Initial child protection planning meetings "
            "were held within 28 days in the majority of cases, not most. Where staff had "
            "Safe and Together training, plans dealt more clearly with the behaviour of the "
            "person causing harm."
        ),
        "strengths": [
            "Child's plan and lead professional in place wherever needed",
            "Core groups meet regularly",
            "Safe and Together strengthening plans where there is domestic abuse",
        ],
        "areas_for_improvement": [
            "Plans list services rather than outcomes (55% good or better)",
            "Initial planning meetings within 28 days in only 68% of cases",
        ],
        "how_do_we_know": (
            "Joint record reading (E11, E13); planning meeting timescales (E19); "
            "re-registration data (E17); observation of six child protection planning "
            "meetings (E38)."
        ),
        "what_next": (
            "A SMART child's plan template with training for chairs (action 2.1) and a "
            "review of how initial planning meetings are scheduled (action 2.2)."
        ),
        "rationale": (
            "Strengths just outweigh weaknesses. Plans are in place and relationships are "
            "strong, but the quality of plans and the timeliness of initial meetings need "
            "priority attention."
        ),
        "dissent": (
            "Police Scotland considered the grade should be good (4): the low re-registration "
            "rate shows that plans work for most children, and the record reading sample "
            "included more neglect cases than the register does. The team noted this view; "
            "the majority held that the quality of plans is the deciding weakness."
        ),
        "proposed_grades": [
            ("stuart", 4, "Re-registrations are low (E17)."),
            ("graham", 3, None),
            ("karen", 3, None),
            ("aileen", 3, None),
            ("mairi", 3, None),
        ],
    },
    {
        "indicator": "5.4",
        "status": "in_progress",
        "previous_grade": 3,
        "session": 3,
        "how_good_now": (
            "Parents are generally well involved in assessment and planning: the majority "
            "understood their child's plan. Children's involvement is weaker. Less than half "
            "of the children who answered our survey felt listened to in meetings, and "
            "children's views were clear in the majority of records read but rarely for "
            "children under eight. Independent advocacy is offered to young people over 12 "
            "but not consistently to younger children."
        ),
        "strengths": [
            "The majority of parents understand their child's plan (63%)",
            "Young people value advocacy from Strathcairn Family Link",
        ],
        "areas_for_improvement": [
            "Younger children's views rarely recorded",
            "Less than half of children feel listened to in meetings (47%)",
            "Reports shared late with families",
        ],
        "how_do_we_know": (
            "Children's survey (E6); parents' survey (E9); joint record reading (E14); focus "
            "groups with young people (E25) and parents (E26); observation of planning "
            "meetings (E38)."
        ),
        "what_next": (
            "Draft: offer independent advocacy to every child aged five and over who is "
            "subject to child protection planning (action 3.1). Agree the grade at the next "
            "session."
        ),
        "proposed_grades": [
            ("graham", 4, None),
            (
                "mairi",
                3,
                "Young people told us meetings are about them, not with them.",
            ),
            ("karen", 3, None),
        ],
    },
    {
        "indicator": "6.1",
        "status": "agreed",
        "grade": 5,
        "previous_grade": 5,
        "session": 4,
        "how_good_now": (
            "Our multi-agency child protection procedures were revised in 2025 to reflect "
            "the National Guidance for Child Protection in Scotland 2021 (updated 2023) and "
            "the incorporation of the UNCRC into Scots law. Head teachers acting as named "
            "persons told us the procedures are clear and easy to find, and almost all staff who "
            "answered the survey were confident in recognising and reporting concerns. "
            "Compulsory measures are sought when needed, although the Reporter's decisions "
            "were made within 50 working days in the majority rather than most cases."
        ),
        "strengths": [
            "Procedures revised to the 2021 National Guidance (updated 2023)",
            "Procedures clear and easy for staff to find",
            "Rights-based approach reflecting UNCRC incorporation",
        ],
        "areas_for_improvement": [
            "New pre-birth and extra-familial harm sections not yet tested in practice",
        ],
        "how_do_we_know": (
            "Revised procedures and their implementation plan (E32); named persons' focus "
            "group (E29); staff survey (E1); Reporter timescales (E22)."
        ),
        "what_next": (
            "Test the use of the new pre-birth and extra-familial harm guidance in the next "
            "joint record reading (action 4.2)."
        ),
        "rationale": (
            "Major strengths: procedures are current, understood and used across agencies. "
            "The remaining gap is about testing recent changes, not about the procedures "
            "themselves."
        ),
    },
    {
        "indicator": "6.2",
        "status": "in_progress",
        "session": 4,
        "how_good_now": (
            "The Children's Services Plan 2026–2029 sets clear priorities for children at "
            "risk of harm, including neglect, domestic abuse and keeping The Promise, and the "
            "CPC business plan links to it. Improvement actions are not always followed "
            "through: several actions from the 2024 self-evaluation were carried forward "
            "without being completed."
        ),
        "strengths": [
            "Clear priorities in the Children's Services Plan",
            "CPC business plan linked to the Children's Services Plan",
        ],
        "areas_for_improvement": [
            "Improvement actions carried forward without completion",
            "Plans not yet shaped by the views of parents and carers",
        ],
        "how_do_we_know": (
            "Children's Services Plan 2026–2029 (E30); CPC business plan and minutes (E31); "
            "learning review progress report (E34)."
        ),
        "what_next": (
            "Check which of the 2024 actions carried forward are now complete and finish "
            "this indicator at the next session."
        ),
    },
    {
        "indicator": "6.3",
        "status": "in_progress",
        "previous_grade": 3,
        "session": 3,
        "how_good_now": (
            "The Champions Board gives care-experienced young people a way to influence "
            "services, and young people told us about changes made as a result, such as the "
            "rewritten letter inviting them to their meetings. Parents and carers have few "
            "such routes: few parents who answered our survey had been asked how services "
            "could improve. We have not yet heard from disabled children or from families in "
            "the Dalmorrie glens."
        ),
        "strengths": [
            "Champions Board influencing changes to services",
            "'You said, we did' feedback published for young people",
        ],
        "areas_for_improvement": [
            "Few parents asked how services could improve (12%)",
            "No route for parents and carers to influence CPC planning",
        ],
        "how_do_we_know": (
            "Parents' and carers' survey (E10); young people's focus group (E25); complaints "
            "and compliments (E40)."
        ),
        "what_next": "Set up a parents' and carers' reference group (action 3.2).",
    },
    {
        "indicator": "6.4",
        "status": "agreed",
        "grade": 2,
        "previous_grade": 3,
        "session": 4,
        "how_good_now": (
            "Quality assurance is a significant weakness. Each agency audits its own "
            "practice, but the partnership has no agreed multi-agency dataset, and the CPC's "
            "quarterly report holds mainly single-agency process measures with little "
            "analysis. The 2026 joint record reading was the first in three years, and "
            "several findings from the one before had not been acted on. At the CPC "
            "performance meeting we observed, data were noted rather than used to decide "
            "what to change."
        ),
        "strengths": [
            "Joint record reading in 2026 with readers from four agencies",
            "Reliable single-agency data from police and health",
        ],
        "areas_for_improvement": [
            "No multi-agency dataset or outcome measures",
            "Audit findings not followed through",
            "Data noted rather than analysed at the CPC",
        ],
        "how_do_we_know": (
            "CPC business plan and minutes (E31); observation of the CPC performance meeting "
            "(E39); joint record reading (E11); minimum dataset report (E18); learning "
            "review progress report (E34)."
        ),
        "what_next": (
            "Agree a multi-agency dataset reported quarterly to the CPC and COG (action 4.1) "
            "and a twice-yearly joint record reading programme (action 4.2)."
        ),
        "rationale": (
            "Important weaknesses limit our ability to know whether practice is improving "
            "for children. The team agreed that priority action is required."
        ),
        "proposed_grades": [
            ("graham", 3, None),
            ("ruth", 2, None),
            ("stuart", 3, None),
            ("aileen", 2, None),
            ("mairi", 2, None),
        ],
    },
    {
        "indicator": "7.1",
        "status": "in_progress",
        "session": 3,
        "how_good_now": (
            "Joint working at the front line is strong, and the majority of staff are "
            "confident that information is shared appropriately between agencies. Few "
            "children and families social work posts are vacant overall, but the vacancies "
            "are concentrated in the rural Dalmorrie teams. Health visitors described good "
            "joint working with social work but are not consistently invited to IRDs."
        ),
        "strengths": [
            "Strong frontline relationships across agencies",
            "The majority confident that information is shared well (71%)",
        ],
        "areas_for_improvement": [
            "Vacancies concentrated in rural teams",
            "Health visitors not consistently invited to IRDs",
        ],
        "how_do_we_know": (
            "Staff survey (E4); vacancy data (E23); focus groups with health visitors and "
            "school nurses (E27) and Dalmorrie social workers (E28); observation of IRDs "
            "(E37)."
        ),
        "what_next": "Rural workforce plan (action 4.4). Agree the grade at the next session.",
    },
    {
        "indicator": "7.2",
        "status": "agreed",
        "grade": 6,
        "previous_grade": 5,
        "session": 4,
        "how_good_now": (
            "The multi-agency training programme is comprehensive and evaluated for its "
            "effect on practice. Almost all staff who answered our survey were confident in "
            "recognising and reporting abuse, neglect and exploitation, and most felt well "
            "supported by their managers. Care-experienced young people from the Champions "
            "Board co-deliver the core child protection course, and other partnerships have "
            "adopted our approach to implementing Safe and Together. The majority of staff "
            "in priority services have completed Safe and Together overview training, and "
            "the plan to reach almost all by the end of 2026 is on track."
        ),
        "strengths": [
            "Core course co-delivered with care-experienced young people",
            "Almost all staff confident to recognise and report concerns (92%)",
            "Training evaluated for change in practice, not only attendance",
            "Safe and Together approach adopted by other partnerships",
        ],
        "areas_for_improvement": [
            "Safe and Together overview training not yet complete in priority services",
        ],
        "how_do_we_know": (
            "Staff survey (E1, E2); Safe and Together training data and evaluation (E24); "
            "young people's focus group (E25)."
        ),
        "what_next": "Complete Safe and Together overview training (action 2.3).",
        "rationale": (
            "The team judged this sector leading: co-delivery with young people and the "
            "evaluation of training against practice change are unusual, and other "
            "partnerships have learned from them. The one gap is on track to close."
        ),
        "proposed_grades": [
            ("graham", 6, None),
            (
                "ruth",
                5,
                "Excellent should wait until Safe and Together is fully rolled out.",
            ),
            ("aileen", 6, None),
            ("stuart", 5, None),
            ("mairi", 6, None),
        ],
    },
    {
        "indicator": "8.1",
        "status": "in_progress",
        "session": 4,
        "how_good_now": (
            "Partners jointly fund the Family Link early-help service and the IRD "
            "coordinator post, and the COG reviews spending against the Children's Services "
            "Plan priorities. Additional CAMHS staff have reduced waits, and most children "
            "are now seen within 18 weeks. The team has not yet agreed whether resources "
            "follow need across the three localities."
        ),
        "strengths": [
            "Joint funding of early help and the IRD coordinator post",
            "Additional CAMHS capacity reducing waits",
        ],
        "areas_for_improvement": ["Resources not clearly matched to need in rural localities"],
        "how_do_we_know": (
            "CAMHS waiting times (E20); vacancy data (E23); COG minutes and risk register "
            "(E33); family support commissioning review (E35)."
        ),
        "what_next": "Locality needs analysis to be brought to the next session.",
    },
    {
        "indicator": "8.2",
        "status": "not_started",
        "session": 4,
        "how_good_now": (
            "Not yet discussed. The 2025 review of commissioned family support services will "
            "be the starting point."
        ),
        "strengths": ["Family support contracts reviewed in 2025"],
        "areas_for_improvement": ["Contracts measure activity rather than outcomes for families"],
        "how_do_we_know": "Family support commissioning review 2025 (E35).",
    },
    {
        "indicator": "9.1",
        "status": "agreed",
        "grade": 5,
        "previous_grade": 5,
        "session": 4,
        "how_good_now": (
            "Leaders share a clear vision, set out in the Children's Services Plan "
            "2026–2029 and built on GIRFEC, children's rights under the UNCRC and keeping The "
            "Promise. Staff in our focus groups could describe it in their own words, and it "
            "runs through the CPC business plan and agency plans. Young people from the "
            "Champions Board helped to write the plan's commitments to children."
        ),
        "strengths": [
            "Shared vision built on GIRFEC, the UNCRC and The Promise",
            "Staff understand the vision and can describe it",
            "Young people helped write the plan's commitments",
        ],
        "areas_for_improvement": ["Vision not yet reflected in commissioned services' contracts"],
        "how_do_we_know": (
            "Children's Services Plan 2026–2029 (E30); focus groups with health visitors and "
            "school nurses (E27), named persons (E29) and young people (E25)."
        ),
        "what_next": (
            "Write the vision into the outcomes of family support contracts when they are "
            "recommissioned (action 4.5)."
        ),
        "rationale": "Major strengths: the vision is shared, understood and co-produced.",
    },
    {
        "indicator": "9.2",
        "status": "agreed",
        "grade": 4,
        "previous_grade": 4,
        "session": 4,
        "how_good_now": (
            "The COG gives clear direction and chief officers attend consistently. It has "
            "taken difficult joint decisions, such as funding the IRD coordinator post, and "
            "keeps a shared risk register. However, oversight depends on reports with little "
            "analysis, and slow progress on chronologies since the 2023 record reading was not "
            "brought to the COG's attention."
        ),
        "strengths": [
            "Consistent attendance and shared ownership at the COG",
            "Joint decisions on resources, including the IRD coordinator post",
            "Shared strategic risk register",
        ],
        "areas_for_improvement": [
            "Oversight depends on reports with little analysis",
            "Slow improvement not escalated to the COG",
        ],
        "how_do_we_know": (
            "Children's Services Plan (E30); CPC business plan and minutes (E31); COG "
            "minutes and risk register (E33)."
        ),
        "what_next": (
            "Quarterly multi-agency performance report to the COG, with exception reporting "
            "on overdue actions (action 4.1)."
        ),
        "rationale": (
            "Important strengths in collaborative leadership. The weaknesses in quality "
            "assurance limit what leaders can see, so the grade is good rather than very "
            "good."
        ),
    },
    {
        "indicator": "9.3",
        "status": "in_progress",
        "previous_grade": 4,
        "session": 4,
        "how_good_now": (
            "Most staff feel supported by their managers, and senior leaders are visible in "
            "the larger teams in Cairnbridge and Inverallan. Less than half of staff said "
            "they had been asked for their views on improving services, and staff in rural "
            "teams rarely see senior leaders."
        ),
        "strengths": ["Most staff feel supported by their manager (84%)"],
        "areas_for_improvement": [
            "Staff not routinely asked for their views",
            "Senior leaders seldom seen in rural teams",
        ],
        "how_do_we_know": (
            "Staff survey (E2, E3); Dalmorrie social workers' focus group (E28); COG minutes (E33)."
        ),
        "what_next": "Chief officers' staff engagement sessions (action 4.3).",
    },
    {
        "indicator": "9.4",
        "status": "in_progress",
        "session": 4,
        "how_good_now": (
            "Leaders have driven some important changes, including Safe and Together and the "
            "revised IRD process, and the learning review action plan was completed on time. "
            "Improvement is less well led where it depends on several agencies changing "
            "practice together, as with chronologies."
        ),
        "strengths": [
            "Safe and Together implementation led jointly",
            "Learning review actions completed on time",
        ],
        "areas_for_improvement": [
            "Multi-agency improvement actions lose momentum",
            "No shared improvement method across agencies",
        ],
        "how_do_we_know": (
            "Learning review progress report (E34); observation of the CPC performance "
            "meeting (E39); Safe and Together training data (E24); staff survey (E3)."
        ),
        "what_next": "Agree the grade once 9.3 and 6.2 are finished.",
    },
    {
        "indicator": "10.1",
        "status": "not_started",
        "session": 4,
        "how_good_now": (
            "To be completed at the end of the workshop, once the other indicators are agreed."
        ),
        "strengths": ["Strong commitment from all five agencies to joint self-evaluation"],
        "areas_for_improvement": ["Self-evaluation not yet a routine yearly cycle"],
        "how_do_we_know": "CPC business plan (E31); learning review progress report (E34).",
    },
]

# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------
# "session" is the workshop session in which the item was added or last changed.

SP = "Strathcairn CPC SharePoint"

EVIDENCE = [
    # --- Multi-agency staff survey 2026 -----------------------------------------------
    {
        "ref": "E1",
        "title": "Staff survey 2026: confidence to recognise and report concerns",
        "kind": "staff_survey",
        "agency": CPC,
        "date": "2026-03-27",
        "description": (
            "Online survey of staff in all partner agencies who work with children, young "
            "people or families, open for four weeks. Share who agreed or strongly agreed "
            "that they were confident to recognise and report signs of abuse, neglect and "
            "exploitation."
        ),
        "location": f"{SP} › Surveys › 2026 staff survey › Results summary.xlsx",
        "share_percent": 92.0,
        "respondents": 611,
        "indicators": ["5.2", "6.1", "7.2"],
        "supports": "strength",
        "session": 1,
    },
    {
        "ref": "E2",
        "title": "Staff survey 2026: support from line managers",
        "kind": "staff_survey",
        "agency": CPC,
        "date": "2026-03-27",
        "description": (
            "Share of respondents who said they felt well supported by their line manager, "
            "including through regular supervision."
        ),
        "location": f"{SP} › Surveys › 2026 staff survey › Results summary.xlsx",
        "share_percent": 84.0,
        "respondents": 611,
        "indicators": ["3.1", "7.2", "9.3"],
        "supports": "strength",
        "session": 3,
    },
    {
        "ref": "E3",
        "title": "Staff survey 2026: asked for views on improving services",
        "kind": "staff_survey",
        "agency": CPC,
        "date": "2026-03-27",
        "description": (
            "Share of respondents who said they had been asked for their views on how "
            "services for children at risk of harm could improve in the last year. Lower in "
            "the Dalmorrie locality than in Cairnbridge."
        ),
        "location": f"{SP} › Surveys › 2026 staff survey › Results summary.xlsx",
        "share_percent": 38.0,
        "respondents": 611,
        "indicators": ["3.1", "9.3", "9.4"],
        "supports": "area_for_improvement",
        "session": 3,
    },
    {
        "ref": "E4",
        "title": "Staff survey 2026: information sharing between agencies",
        "kind": "staff_survey",
        "agency": CPC,
        "date": "2026-03-27",
        "description": (
            "Share of respondents confident that information about children at risk of harm "
            "is shared appropriately and promptly between agencies. Health staff were less "
            "confident than police and social work staff."
        ),
        "location": f"{SP} › Surveys › 2026 staff survey › Results summary.xlsx",
        "share_percent": 71.0,
        "respondents": 611,
        "indicators": ["5.2", "7.1"],
        "supports": "both",
        "session": 1,
    },
    # --- Children and young people's survey 2026 --------------------------------------
    {
        "ref": "E5",
        "title": "Children and young people's survey 2026: feeling safe",
        "kind": "children_survey",
        "agency": SOCIAL_WORK,
        "date": "2026-04-30",
        "description": (
            "Survey of children and young people aged 8 to 17 with a child's plan, offered "
            "on paper, online and with support from a worker or advocate. Share who said "
            "they felt safe where they live."
        ),
        "location": f"{SP} › Surveys › 2026 children and young people › Findings.pdf",
        "share_percent": 86.0,
        "respondents": 74,
        "indicators": ["1.1", "2.1"],
        "supports": "strength",
        "session": 2,
    },
    {
        "ref": "E6",
        "title": "Children and young people's survey 2026: listened to in meetings",
        "kind": "children_survey",
        "agency": SOCIAL_WORK,
        "date": "2026-04-30",
        "description": (
            "Share who said they felt listened to in meetings about them and that their "
            "views made a difference to decisions. Younger respondents were less positive."
        ),
        "location": f"{SP} › Surveys › 2026 children and young people › Findings.pdf",
        "share_percent": 47.0,
        "respondents": 74,
        "indicators": ["2.1", "5.4"],
        "supports": "area_for_improvement",
        "session": 2,
    },
    {
        "ref": "E7",
        "title": "Children and young people's survey 2026: a worker they trust",
        "kind": "children_survey",
        "agency": SOCIAL_WORK,
        "date": "2026-04-30",
        "description": (
            "Share who said there was at least one worker they trusted and could talk to "
            "when things were difficult."
        ),
        "location": f"{SP} › Surveys › 2026 children and young people › Findings.pdf",
        "share_percent": 91.0,
        "respondents": 74,
        "indicators": ["2.1", "5.3"],
        "supports": "strength",
        "session": 2,
    },
    # --- Parents' and carers' survey 2026 ---------------------------------------------
    {
        "ref": "E8",
        "title": "Parents' and carers' survey 2026: speed of response",
        "kind": "parents_survey",
        "agency": FAMILY_LINK,
        "date": "2026-05-15",
        "description": (
            "Survey of parents and carers of children with a child's plan, run "
            "independently by Strathcairn Family Link. Share who said workers acted quickly "
            "when concerns about their child were first raised."
        ),
        "location": f"{SP} › Surveys › 2026 parents and carers › Report.docx",
        "share_percent": 79.0,
        "respondents": 52,
        "indicators": ["2.2", "5.1"],
        "supports": "strength",
        "session": 1,
    },
    {
        "ref": "E9",
        "title": "Parents' and carers' survey 2026: understanding the child's plan",
        "kind": "parents_survey",
        "agency": FAMILY_LINK,
        "date": "2026-05-15",
        "description": (
            "Share who said they understood their child's plan and what was expected of "
            "them. Several comments said reports arrived the day before meetings."
        ),
        "location": f"{SP} › Surveys › 2026 parents and carers › Report.docx",
        "share_percent": 63.0,
        "respondents": 52,
        "indicators": ["2.2", "5.4"],
        "supports": "both",
        "session": 2,
    },
    {
        "ref": "E10",
        "title": "Parents' and carers' survey 2026: asked about improving services",
        "kind": "parents_survey",
        "agency": FAMILY_LINK,
        "date": "2026-05-15",
        "description": (
            "Share who said they had ever been asked for their views on how services for "
            "families could be improved."
        ),
        "location": f"{SP} › Surveys › 2026 parents and carers › Report.docx",
        "share_percent": 12.0,
        "respondents": 52,
        "indicators": ["6.2", "6.3"],
        "supports": "area_for_improvement",
        "session": 3,
    },
    # --- Joint record reading, May 2026 ------------------------------------------------
    {
        "ref": "E11",
        "title": "Joint record reading 2026: quality of chronologies",
        "kind": "record_reading",
        "agency": CPC,
        "date": "2026-05-21",
        "description": (
            "Sixty records of children at risk of harm read by 18 trained readers from "
            "social work, education, health and police, using the Care Inspectorate's "
            "record reading approach. Chronologies rated good or better. Weaker chronologies "
            "listed events without analysis and missed accumulating neglect."
        ),
        "location": f"{SP} › Audits › 2026 record reading › Findings report.docx",
        "share_percent": 45.0,
        "respondents": 60,
        "indicators": ["5.2", "5.3", "6.4"],
        "supports": "area_for_improvement",
        "session": 2,
    },
    {
        "ref": "E12",
        "title": "Joint record reading 2026: initial response to concerns",
        "kind": "record_reading",
        "agency": CPC,
        "date": "2026-05-21",
        "description": (
            "Records in which readers rated the first joint response to the concern, "
            "including the IRD and interim safety planning, good or better."
        ),
        "location": f"{SP} › Audits › 2026 record reading › Findings report.docx",
        "share_percent": 82.0,
        "respondents": 60,
        "indicators": ["1.1", "5.1", "5.2"],
        "supports": "strength",
        "session": 1,
    },
    {
        "ref": "E13",
        "title": "Joint record reading 2026: quality of child's plans",
        "kind": "record_reading",
        "agency": CPC,
        "date": "2026-05-21",
        "description": (
            "Records in which the child's plan was rated good or better. Weaker plans listed "
            "services and meetings rather than outcomes linked to the wellbeing indicators."
        ),
        "location": f"{SP} › Audits › 2026 record reading › Findings report.docx",
        "share_percent": 55.0,
        "respondents": 60,
        "indicators": ["5.3"],
        "supports": "both",
        "session": 2,
    },
    {
        "ref": "E14",
        "title": "Joint record reading 2026: children's views",
        "kind": "record_reading",
        "agency": CPC,
        "date": "2026-05-21",
        "description": (
            "Records in which the child's views were clearly recorded and had been taken "
            "into account in decisions. Rarely evident for children under eight."
        ),
        "location": f"{SP} › Audits › 2026 record reading › Findings report.docx",
        "share_percent": 52.0,
        "respondents": 60,
        "indicators": ["2.1", "5.4"],
        "supports": "both",
        "session": 2,
    },
    {
        "ref": "E15",
        "title": "Joint record reading 2026: named person informed early",
        "kind": "record_reading",
        "agency": CPC,
        "date": "2026-05-21",
        "description": (
            "Of the 54 records where the child had a named person, the share in which the "
            "named person was told about the concern at an early stage."
        ),
        "location": f"{SP} › Audits › 2026 record reading › Findings report.docx",
        "share_percent": 100.0,
        "respondents": 54,
        "indicators": ["5.1"],
        "supports": "strength",
        "session": 1,
    },
    # --- Performance and management data ----------------------------------------------
    {
        "ref": "E16",
        "title": "IRDs held within timescale, 2025–26",
        "kind": "performance_data",
        "agency": POLICE,
        "date": "2026-04-14",
        "description": (
            "Inter-agency referral discussions started within one working day of the "
            "concern being received, from the IRD tracker kept by the public protection "
            "unit. Up from 79% in 2024–25."
        ),
        "location": "Police Scotland Strathcairn PPU › IRD tracker 2025-26.xlsx",
        "share_percent": 88.0,
        "respondents": 312,
        "indicators": ["1.1", "5.2"],
        "supports": "strength",
        "session": 1,
    },
    {
        "ref": "E17",
        "title": "Child protection re-registrations within 18 months, 2025–26",
        "kind": "performance_data",
        "agency": SOCIAL_WORK,
        "date": "2026-06-30",
        "description": (
            "Children whose names were placed on the child protection register during the "
            "year who had been de-registered in the previous 18 months."
        ),
        "location": "Social work information system › CP minimum dataset › 2025-26 annual.xlsx",
        "share_percent": 6.0,
        "respondents": 87,
        "indicators": ["1.1", "5.3"],
        "supports": "strength",
        "session": 2,
    },
    {
        "ref": "E18",
        "title": "Child protection minimum dataset, annual report 2025–26",
        "kind": "performance_data",
        "agency": CPC,
        "date": "2026-08-28",
        "description": (
            "Registrations, de-registrations, concerns recorded at registration and length "
            "of registration. 87 registrations in the year; 46 children registered at 31 "
            "July 2026 (2.1 per 1,000 aged 0 to 15). Domestic abuse and parental substance "
            "use the most common concerns. Trend data only, with little analysis."
        ),
        "location": f"{SP} › Performance › CP minimum dataset 2025-26.pdf",
        "share_percent": None,
        "respondents": None,
        "indicators": ["1.1", "6.4"],
        "supports": "context",
        "session": 2,
    },
    {
        "ref": "E19",
        "title": "Initial child protection planning meetings within 28 days, 2025–26",
        "kind": "performance_data",
        "agency": SOCIAL_WORK,
        "date": "2026-06-30",
        "description": (
            "Initial child protection planning meetings held within 28 calendar days of the "
            "concern being raised. Delays mostly caused by the availability of chairs."
        ),
        "location": "Social work information system › CP minimum dataset › 2025-26 annual.xlsx",
        "share_percent": 68.0,
        "respondents": 94,
        "indicators": ["5.3"],
        "supports": "area_for_improvement",
        "session": 2,
    },
    {
        "ref": "E20",
        "title": "CAMHS waiting times, quarter ending June 2026",
        "kind": "performance_data",
        "agency": NHS,
        "date": "2026-07-15",
        "description": (
            "Children and young people starting treatment within 18 weeks of referral, "
            "against the national standard of 90%. Up from 61% a year earlier."
        ),
        "location": "NHS Strathcairn › CAMHS performance › Waiting times Q1 2026-27.pdf",
        "share_percent": 79.0,
        "respondents": 642,
        "indicators": ["2.1", "5.1", "8.1"],
        "supports": "both",
        "session": 1,
    },
    {
        "ref": "E21",
        "title": "Pre-birth referrals by 24 weeks of pregnancy, 2025–26",
        "kind": "performance_data",
        "agency": NHS,
        "date": "2026-05-29",
        "description": (
            "Referrals from maternity services about unborn babies where there were "
            "concerns, made before 24 weeks of pregnancy so that a pre-birth IRD and "
            "planning could take place in good time."
        ),
        "location": "NHS Strathcairn › Public protection › Maternity referrals 2025-26.xlsx",
        "share_percent": 41.0,
        "respondents": 34,
        "indicators": ["5.1", "5.2"],
        "supports": "area_for_improvement",
        "session": 1,
    },
    {
        "ref": "E22",
        "title": "Reporter decisions within 50 working days, 2025–26",
        "kind": "performance_data",
        "agency": SCRA,
        "date": "2026-06-12",
        "description": (
            "Non-offence referrals to the Children's Reporter for Strathcairn where the "
            "Reporter's decision was made within 50 working days."
        ),
        "location": "SCRA locality report › Strathcairn 2025-26.pdf",
        "share_percent": 72.0,
        "respondents": 214,
        "indicators": ["6.1"],
        "supports": "context",
        "session": 4,
    },
    {
        "ref": "E23",
        "title": "Children and families social work vacancies, March 2026",
        "kind": "performance_data",
        "agency": SOCIAL_WORK,
        "date": "2026-03-31",
        "description": (
            "Vacant posts as a share of funded full-time equivalent posts in children and "
            "families social work. Seven of the eleven vacancies are in the Dalmorrie "
            "locality."
        ),
        "location": "Strathcairn Council HR › Workforce dashboard › Children and families March 2026.xlsx",
        "share_percent": 11.0,
        "respondents": 96,
        "indicators": ["3.1", "7.1", "8.1"],
        "supports": "both",
        "session": 3,
    },
    {
        "ref": "E24",
        "title": "Safe and Together overview training: completion and evaluation",
        "kind": "performance_data",
        "agency": CPC,
        "date": "2026-08-31",
        "description": (
            "Staff in priority services (social work, health visiting, school nursing, "
            "police PPU, family support, guidance staff) who have completed the overview "
            "training, with the six-month follow-up evaluation of change in practice."
        ),
        "location": f"{SP} › Learning and development › Safe and Together tracker.xlsx",
        "share_percent": 57.0,
        "respondents": 1140,
        "indicators": ["5.3", "7.2", "9.4"],
        "supports": "both",
        "session": 4,
    },
    # --- Focus groups -------------------------------------------------------------------
    {
        "ref": "E25",
        "title": "Young people's focus group, Champions Board",
        "kind": "focus_group",
        "agency": FAMILY_LINK,
        "date": "2026-06-10",
        "description": (
            "Nine young people aged 13 to 17 with experience of child protection or care. "
            "They valued workers who stayed with them and the Champions Board, but said "
            "meetings felt like adults talking about them. Facilitated by Family Link "
            "participation workers; notes agreed with the young people."
        ),
        "location": f"{SP} › Engagement › 2026 focus groups › Young people notes.docx",
        "share_percent": None,
        "respondents": 9,
        "indicators": ["2.1", "5.4", "6.3", "9.1"],
        "supports": "both",
        "session": 3,
    },
    {
        "ref": "E26",
        "title": "Parents' and carers' focus group",
        "kind": "focus_group",
        "agency": FAMILY_LINK,
        "date": "2026-06-17",
        "description": (
            "Seven parents and kinship carers. Practical help and honest workers were "
            "valued; planning meetings were described as intimidating, with reports shared "
            "too late to read."
        ),
        "location": f"{SP} › Engagement › 2026 focus groups › Parents notes.docx",
        "share_percent": None,
        "respondents": 7,
        "indicators": ["2.2", "5.4"],
        "supports": "both",
        "session": 3,
    },
    {
        "ref": "E27",
        "title": "Focus group with health visitors and school nurses",
        "kind": "focus_group",
        "agency": NHS,
        "date": "2026-08-20",
        "description": (
            "Eleven health visitors and school nurses from all three localities. Good joint "
            "working with social work, clear understanding of the partnership's vision, but "
            "inconsistent invitations to IRDs and feedback after them."
        ),
        "location": "NHS Strathcairn › Public protection › Self-evaluation 2026 › HV and SN focus group.docx",
        "share_percent": None,
        "respondents": 11,
        "indicators": ["3.1", "7.1", "9.1"],
        "supports": "both",
        "session": 3,
    },
    {
        "ref": "E28",
        "title": "Focus group with Dalmorrie social work team",
        "kind": "focus_group",
        "agency": SOCIAL_WORK,
        "date": "2026-08-26",
        "description": (
            "Eight social workers and team leaders. Strong team support, but high workloads "
            "from vacancies and travel, and little contact with senior leaders."
        ),
        "location": f"{SP} › Engagement › 2026 focus groups › Dalmorrie SW notes.docx",
        "share_percent": None,
        "respondents": 8,
        "indicators": ["3.1", "7.1", "9.3"],
        "supports": "area_for_improvement",
        "session": 3,
    },
    {
        "ref": "E29",
        "title": "Focus group with named persons in schools",
        "kind": "focus_group",
        "agency": EDUCATION,
        "date": "2026-09-03",
        "description": (
            "Fourteen head teachers and depute head teachers acting as named persons, from "
            "primary and secondary schools. Clear procedures and a well-understood route "
            "to early help; prompt feedback after IRDs."
        ),
        "location": "Strathcairn Council education › Inclusion › Named person focus group Sept 2026.docx",
        "share_percent": None,
        "respondents": 14,
        "indicators": ["5.1", "6.1", "9.1"],
        "supports": "strength",
        "session": 1,
    },
    # --- Documents ----------------------------------------------------------------------
    {
        "ref": "E30",
        "title": "Strathcairn Children's Services Plan 2026–2029",
        "kind": "document",
        "agency": PARTNERSHIP,
        "date": "2026-04-01",
        "description": (
            "The partnership's plan, with priorities for neglect, domestic abuse, mental "
            "health and keeping The Promise, and commitments to children co-written with "
            "the Champions Board."
        ),
        "location": "strathcairn.gov.uk › Children's services plan 2026-2029 (PDF)",
        "share_percent": None,
        "respondents": None,
        "indicators": ["6.2", "9.1", "9.2"],
        "supports": "strength",
        "session": 4,
    },
    {
        "ref": "E31",
        "title": "CPC business plan 2025–2027 and CPC minutes",
        "kind": "document",
        "agency": CPC,
        "date": "2026-09-09",
        "description": (
            "Business plan, self-evaluation timetable and minutes of the last four CPC "
            "meetings. Shows actions carried forward from the 2024 improvement plan and "
            "quarterly reports made up of single-agency measures."
        ),
        "location": f"{SP} › Governance › CPC › Business plan 2025-2027.docx",
        "share_percent": None,
        "respondents": None,
        "indicators": ["6.2", "6.4", "9.2", "10.1"],
        "supports": "both",
        "session": 4,
    },
    {
        "ref": "E32",
        "title": "Multi-agency child protection procedures, revised 2025",
        "kind": "document",
        "agency": CPC,
        "date": "2025-11-03",
        "description": (
            "Local procedures revised in line with the National Guidance for Child "
            "Protection in Scotland 2021 (updated 2023), with new sections on pre-birth "
            "planning and extra-familial harm, and the implementation plan."
        ),
        "location": "Strathcairn CPC website › Procedures › Child protection procedures 2025 (PDF)",
        "share_percent": None,
        "respondents": None,
        "indicators": ["6.1"],
        "supports": "strength",
        "session": 4,
    },
    {
        "ref": "E33",
        "title": "COG minutes and strategic risk register, 2025–26",
        "kind": "document",
        "agency": PARTNERSHIP,
        "date": "2026-08-25",
        "description": (
            "Minutes of the chief officers group and its shared risk register, including "
            "the joint funding decision for the IRD coordinator post and the rural "
            "workforce risk."
        ),
        "location": f"{SP} › Governance › COG › Minutes 2025-26.pdf",
        "share_percent": None,
        "respondents": None,
        "indicators": ["8.1", "9.2", "9.3"],
        "supports": "both",
        "session": 4,
    },
    {
        "ref": "E34",
        "title": "Learning review 2025: action plan progress report",
        "kind": "document",
        "agency": CPC,
        "date": "2026-06-24",
        "description": (
            "Progress against the action plan from the 2025 learning review. All actions "
            "completed on time; the report notes that chronology actions from the 2023 "
            "record reading were still open."
        ),
        "location": f"{SP} › Learning reviews › 2025 review › Progress report June 2026.docx",
        "share_percent": None,
        "respondents": None,
        "indicators": ["6.2", "6.4", "9.4", "10.1"],
        "supports": "both",
        "session": 4,
    },
    {
        "ref": "E35",
        "title": "Review of commissioned family support services, 2025",
        "kind": "document",
        "agency": SOCIAL_WORK,
        "date": "2025-10-15",
        "description": (
            "Council review of the three family support contracts with the third sector. "
            "Contracts measure hours delivered and referrals rather than outcomes for "
            "families."
        ),
        "location": "Strathcairn Council › Commissioning › Family support review 2025.pdf",
        "share_percent": None,
        "respondents": None,
        "indicators": ["8.1", "8.2"],
        "supports": "area_for_improvement",
        "session": 4,
    },
    # --- Other --------------------------------------------------------------------------
    {
        "ref": "E36",
        "title": "Citizens' panel survey 2025: reporting a concern about a child",
        "kind": "other",
        "agency": PARTNERSHIP,
        "date": "2025-11-28",
        "description": (
            "Strathcairn citizens' panel. Share of residents who said they would know how "
            "to report a concern about a child's safety. Not yet broken down by locality."
        ),
        "location": "Strathcairn Council › Research › Citizens' panel autumn 2025.pdf",
        "share_percent": 68.0,
        "respondents": 1204,
        "indicators": ["4.1"],
        "supports": "context",
        "session": 4,
    },
    # --- Observation --------------------------------------------------------------------
    {
        "ref": "E37",
        "title": "Observation of five IRDs",
        "kind": "observation",
        "agency": POLICE,
        "date": "2026-08-12",
        "description": (
            "Five IRDs observed by the CPC lead officer and the PPU detective inspector, "
            "using the national IRD quality standards. Information shared well and "
            "decisions clear; health visitors took part in two of the four IRDs about "
            "pre-school children."
        ),
        "location": f"{SP} › Audits › IRD observation August 2026.docx",
        "share_percent": None,
        "respondents": None,
        "indicators": ["5.2", "7.1"],
        "supports": "strength",
        "session": 1,
    },
    {
        "ref": "E38",
        "title": "Observation of six child protection planning meetings",
        "kind": "observation",
        "agency": SOCIAL_WORK,
        "date": "2026-09-24",
        "description": (
            "Six initial and review child protection planning meetings observed by the "
            "independent reviewing officers' team manager. Chairs were warm and clear; "
            "children's views were presented in four, and by an advocate in two."
        ),
        "location": f"{SP} › Audits › CPPM observation Sept 2026.docx",
        "share_percent": None,
        "respondents": None,
        "indicators": ["5.3", "5.4"],
        "supports": "both",
        "session": 2,
    },
    {
        "ref": "E39",
        "title": "Observation of the CPC quarterly performance meeting",
        "kind": "observation",
        "agency": CPC,
        "date": "2026-10-08",
        "description": (
            "Observation of the CPC quality assurance subgroup's quarterly performance "
            "meeting. Data presented agency by agency; little discussion of what the data "
            "meant for children or of what should change."
        ),
        "location": f"{SP} › Governance › CPC › QA subgroup Oct 2026 observation notes.docx",
        "share_percent": None,
        "respondents": None,
        "indicators": ["6.4", "9.4", "10.1"],
        "supports": "area_for_improvement",
        "session": 4,
    },
    # --- Other --------------------------------------------------------------------------
    {
        "ref": "E40",
        "title": "Complaints and compliments, children's services 2025–26",
        "kind": "other",
        "agency": SOCIAL_WORK,
        "date": "2026-05-08",
        "description": (
            "Summary of complaints and compliments about children and families social work "
            "in 2025–26, grouped by theme. Themes: late sharing of reports, changes of "
            "worker, and praise for family support staff."
        ),
        "location": "Strathcairn Council › Complaints › Children and families annual summary 2025-26.pdf",
        "share_percent": None,
        "respondents": None,
        "indicators": ["2.2", "6.3"],
        "supports": "both",
        "session": 3,
    },
]

# ---------------------------------------------------------------------------
# Improvement plan
# ---------------------------------------------------------------------------
# Some actions come from the CPC business plan before this workshop (hence due dates in
# mid-2026); the rest were agreed during it. Actions 1.2 and 3.2 are overdue on purpose.

ACTIONS = [
    # --- Statement 1 ------------------------------------------------------------------
    {
        "ref": "1.1",
        "statement": 1,
        "indicators": ["5.2", "5.3"],
        "issue": (
            "Less than half of chronologies were rated good or better; they list events "
            "without analysis and miss accumulating neglect."
        ),
        "task": (
            "Introduce a single multi-agency chronology template and practice guidance; "
            "brief all team leaders in social work, health, education and police; add a "
            "chronology check to supervision."
        ),
        "expected_outcome": (
            "Chronologies show how concerns build up over time, so that cumulative harm is "
            "recognised and acted on earlier."
        ),
        "ownership": "CPC learning and development subgroup; lead: child protection lead officer",
        "monitoring": (
            "Quarterly report to the CPC; 20 records sampled from each agency every six "
            "months by trained readers."
        ),
        "baseline": "45% of chronologies good or better in the 2026 joint record reading (E11).",
        "target": "60% good or better by May 2027; 75% at the November 2027 record reading.",
        "due": "2027-06-30",
        "status": "in_progress",
        "updated": "2026-11-17T16:05:00Z",
    },
    {
        "ref": "1.2",
        "statement": 1,
        "indicators": ["5.1", "5.2"],
        "issue": (
            "Less than half of pre-birth referrals are made before 24 weeks of pregnancy, "
            "leaving too little time for assessment and planning before birth."
        ),
        "task": (
            "Revise the pre-birth pathway with maternity services: routine enquiry at "
            "booking, referral to social work by 20 weeks where there are concerns, and a "
            "pre-birth IRD by 24 weeks."
        ),
        "expected_outcome": (
            "Unborn babies at risk have a multi-agency assessment and plan in place well "
            "before birth."
        ),
        "ownership": "NHS Strathcairn lead nurse for child protection, with the social work service manager",
        "monitoring": "Monthly maternity referral report to the CPC quality assurance subgroup.",
        "baseline": "41% of pre-birth referrals made before 24 weeks in 2025–26 (E21).",
        "target": "75% of pre-birth referrals made before 24 weeks by March 2027.",
        "due": "2026-10-31",
        "status": "in_progress",
        "updated": "2026-10-06T15:20:00Z",
    },
    {
        "ref": "1.3",
        "statement": 1,
        "indicators": ["5.1", "5.2"],
        "issue": (
            "IRD timescales had improved, but there was no regular multi-agency check on "
            "the quality of IRD decisions."
        ),
        "task": (
            "Start a monthly multi-agency review of a sample of ten IRDs against the "
            "national IRD quality standards, with written feedback to IRD chairs."
        ),
        "expected_outcome": "Consistent, well-recorded IRD decisions and safety planning.",
        "ownership": "Police Scotland PPU detective inspector and child protection lead officer",
        "monitoring": "Monthly review log; summary to the CPC each quarter.",
        "baseline": (
            "88% of IRDs within timescale (E16); no quality review in place before August "
            "2026 (E37)."
        ),
        "target": "Review completed every month from August 2026; 90% of IRDs within timescale.",
        "due": "2026-08-31",
        "status": "complete",
        "updated": "2026-09-15T15:10:00Z",
    },
    {
        "ref": "1.4",
        "statement": 1,
        "indicators": ["5.2"],
        "issue": "IRDs are recorded on a spreadsheet tracker that only the police can update.",
        "task": "Buy a local electronic IRD recording system shared by all three core agencies.",
        "expected_outcome": "All agencies record and see IRD decisions in one place.",
        "ownership": "COG, through the council's digital services",
        "monitoring": "COG, quarterly.",
        "baseline": "Single-agency spreadsheet tracker (E16).",
        "target": "System live by March 2027.",
        "due": "2027-03-31",
        "status": "dropped",
        "updated": "2026-11-17T16:15:00Z",
    },
    # --- Statement 2 ------------------------------------------------------------------
    {
        "ref": "2.1",
        "statement": 2,
        "indicators": ["5.3", "2.1"],
        "issue": (
            "Child's plans are in place but only the majority are good or better; weaker "
            "plans list services rather than outcomes."
        ),
        "task": (
            "Redesign the child's plan template around the eight wellbeing indicators with "
            "SMART outcomes; train all chairs and lead professionals; team leaders audit "
            "five plans each month."
        ),
        "expected_outcome": (
            "Plans say what will change for the child, by when and who will help, so that "
            "progress can be measured at each core group."
        ),
        "ownership": "Social work service manager (child protection), with the named person lead in education",
        "monitoring": "Monthly team leader audits; six-monthly record reading sample reported to the CPC.",
        "baseline": "55% of child's plans good or better (E13).",
        "target": "75% good or better by November 2027.",
        "due": "2027-09-30",
        "status": "not_started",
        "updated": "2026-10-06T15:35:00Z",
    },
    {
        "ref": "2.2",
        "statement": 2,
        "indicators": ["5.3"],
        "issue": (
            "Initial child protection planning meetings are held within 28 days in only the "
            "majority of cases, mainly because chairs are not available."
        ),
        "task": (
            "Review how initial planning meetings are scheduled, add a second independent "
            "chair for one day a week, and track every meeting weekly."
        ),
        "expected_outcome": "Children at risk have an agreed multi-agency plan without delay.",
        "ownership": "Independent reviewing officers' team manager",
        "monitoring": "Weekly tracker; quarterly to the CPC.",
        "baseline": "68% held within 28 days in 2025–26 (E19).",
        "target": "90% within 28 days in January to March 2027.",
        "due": "2027-03-31",
        "status": "in_progress",
        "updated": "2026-11-17T16:10:00Z",
    },
    {
        "ref": "2.3",
        "statement": 2,
        "indicators": ["2.2", "5.3", "7.2"],
        "issue": (
            "Safe and Together improves plans where there is domestic abuse, but only the "
            "majority of priority staff are trained."
        ),
        "task": (
            "Complete overview training for all priority staff; train 40 practitioners in "
            "the core course; build the model into supervision templates."
        ),
        "expected_outcome": (
            "Plans hold the person causing harm to account and support non-abusing parents "
            "to keep children safe."
        ),
        "ownership": "CPC learning and development subgroup; Safe and Together implementation lead",
        "monitoring": "Monthly training tracker; six-month practice evaluation.",
        "baseline": "57% of 1,140 priority staff trained (E24).",
        "target": "90% of priority staff trained by December 2026; 40 practitioners on the core course.",
        "due": "2026-12-31",
        "status": "in_progress",
        "updated": "2026-11-17T16:12:00Z",
    },
    {
        "ref": "2.4",
        "statement": 2,
        "indicators": ["2.1", "5.1", "8.1"],
        "issue": "Most, but not almost all, children start CAMHS treatment within 18 weeks.",
        "task": (
            "Fill the two remaining CAMHS posts, extend the school-based counselling "
            "service to Dalmorrie, and offer a first contact within four weeks of referral."
        ),
        "expected_outcome": "Children get mental health support before their difficulties grow.",
        "ownership": "NHS Strathcairn CAMHS service manager",
        "monitoring": "Monthly waiting times report; quarterly to the COG.",
        "baseline": "79% start treatment within 18 weeks, quarter ending June 2026 (E20).",
        "target": "90% within 18 weeks, quarter ending March 2027.",
        "due": "2027-03-31",
        "status": "in_progress",
        "updated": "2026-10-06T15:40:00Z",
    },
    # --- Statement 3 ------------------------------------------------------------------
    {
        "ref": "3.1",
        "statement": 3,
        "indicators": ["2.1", "5.4"],
        "issue": (
            "Less than half of children feel listened to in meetings, and younger "
            "children's views are rarely recorded."
        ),
        "task": (
            "Offer independent advocacy to every child aged five and over subject to child "
            "protection planning; give chairs and lead professionals tools for hearing "
            "younger children; add a 'my views' section to every plan."
        ),
        "expected_outcome": (
            "Children's views, in their own words, shape the decisions made about them."
        ),
        "ownership": "Strathcairn Family Link service manager, with the independent reviewing officers",
        "monitoring": "Advocacy uptake reported quarterly; children's survey repeated in spring 2027.",
        "baseline": (
            "47% of children felt listened to in meetings (E6); children's views clear in "
            "52% of records (E14)."
        ),
        "target": "70% feel listened to in the 2027 survey; views clear in 75% of records read.",
        "due": "2027-06-30",
        "status": "in_progress",
        "updated": "2026-10-27T16:20:00Z",
    },
    {
        "ref": "3.2",
        "statement": 3,
        "indicators": ["6.3", "6.2"],
        "issue": (
            "Few parents and carers have been asked how services could improve, and there "
            "is no route for them to influence CPC planning. Carried forward from 2024."
        ),
        "task": (
            "Set up a parents' and carers' reference group with Strathcairn Family Link, "
            "meeting quarterly, with a standing item at the CPC to report what it says."
        ),
        "expected_outcome": "Parents' experience shapes procedures, plans and training.",
        "ownership": "Child protection lead officer, with Strathcairn Family Link",
        "monitoring": "CPC minutes; reference group attendance and 'you said, we did' log.",
        "baseline": "12% of parents asked for their views on improving services (E10).",
        "target": "Group meeting quarterly from January 2027; 40% in the 2027 parents' survey.",
        "due": "2026-09-30",
        "status": "not_started",
        "updated": "2026-10-27T16:25:00Z",
    },
    {
        "ref": "3.3",
        "statement": 3,
        "indicators": ["6.3", "5.4"],
        "issue": "Young people said they never heard what happened to their suggestions.",
        "task": (
            "Publish a 'you said, we did' update for the Champions Board after every CPC "
            "meeting, written with young people."
        ),
        "expected_outcome": "Young people see that their views change services.",
        "ownership": "Strathcairn Family Link participation workers",
        "monitoring": "Champions Board review each quarter.",
        "baseline": "No feedback to young people before 2026 (E25).",
        "target": "Update published after every CPC meeting from April 2026.",
        "due": "2026-06-30",
        "status": "complete",
        "updated": "2026-09-15T15:15:00Z",
    },
    # --- Statement 4 ------------------------------------------------------------------
    {
        "ref": "4.1",
        "statement": 4,
        "indicators": ["6.4", "9.2", "1.1"],
        "issue": (
            "No multi-agency dataset: CPC reports hold single-agency process measures with "
            "little analysis and no outcome measures."
        ),
        "task": (
            "Agree a multi-agency dataset including outcome measures based on the wellbeing "
            "indicators; report quarterly to the CPC and COG with analysis and exception "
            "reporting on overdue actions."
        ),
        "expected_outcome": (
            "Leaders can see whether children are safer and better off, and act where they are not."
        ),
        "ownership": "CPC quality assurance subgroup chair; data analysts from council, NHS and police",
        "monitoring": "COG, quarterly.",
        "baseline": "No agreed multi-agency dataset; single-agency measures only (E18, E31, E39).",
        "target": "Dataset agreed by December 2026; first quarterly report covering all five agencies by March 2027.",
        "due": "2026-12-31",
        "status": "in_progress",
        "updated": "2026-11-17T16:20:00Z",
    },
    {
        "ref": "4.2",
        "statement": 4,
        "indicators": ["6.4", "10.1"],
        "issue": (
            "No joint record reading took place between 2023 and 2026, and the findings of "
            "the 2023 reading were not followed up."
        ),
        "task": (
            "Run a joint record reading every six months on a theme from the improvement "
            "plan; train more readers from all agencies; publish findings and actions."
        ),
        "expected_outcome": "Regular, trusted evidence about the quality of practice.",
        "ownership": "Child protection lead officer, for the CPC quality assurance subgroup",
        "monitoring": "CPC, after each record reading.",
        "baseline": (
            "No joint record reading between 2023 and May 2026; 18 trained readers at the "
            "2026 reading of 60 records (E11)."
        ),
        "target": "Record reading every six months from May 2027; 30 trained readers from four agencies by September 2027.",
        "due": "2027-09-30",
        "status": "not_started",
        "updated": "2026-11-17T16:22:00Z",
    },
    {
        "ref": "4.3",
        "statement": 4,
        "indicators": ["3.1", "9.3"],
        "issue": "Less than half of staff have been asked for their views on improving services.",
        "task": (
            "Chief officers hold 'practice conversations' in every locality twice a year "
            "and publish what they heard and what will change."
        ),
        "expected_outcome": "Staff help to shape improvement and feel their views count.",
        "ownership": "COG; chief social work officer as lead",
        "monitoring": "COG, six-monthly; staff survey 2027.",
        "baseline": "38% of staff asked for their views (E3).",
        "target": "60% in the 2027 staff survey.",
        "due": "2027-04-30",
        "status": "not_started",
        "updated": "2026-11-17T16:24:00Z",
    },
    {
        "ref": "4.4",
        "statement": 4,
        "indicators": ["7.1", "8.1", "3.1"],
        "issue": (
            "Vacancies in children and families social work are concentrated in the rural "
            "Dalmorrie teams, raising workloads."
        ),
        "task": (
            "Rural workforce plan: a grow-your-own social work traineeship, a rural "
            "recruitment payment, and shared travel and hybrid working with health "
            "colleagues."
        ),
        "expected_outcome": "Children in rural areas get consistent workers without delay.",
        "ownership": "Head of children's services, Strathcairn Council",
        "monitoring": "Quarterly workforce dashboard to the COG.",
        "baseline": "11% of posts vacant, seven of eleven in Dalmorrie (E23).",
        "target": "Vacancies below 5% in every locality by March 2028.",
        "due": "2028-03-31",
        "status": "in_progress",
        "updated": "2026-10-27T16:30:00Z",
    },
    {
        "ref": "4.5",
        "statement": 4,
        "indicators": ["8.2", "9.1"],
        "issue": "Family support contracts measure activity rather than outcomes for families.",
        "task": (
            "Recommission family support jointly with the third sector, with outcome "
            "measures linked to the Children's Services Plan and The Promise."
        ),
        "expected_outcome": "Commissioned services are judged by the difference they make to families.",
        "ownership": "Council commissioning manager, with the COG",
        "monitoring": "COG, six-monthly.",
        "baseline": "Three contracts with activity measures only (E35).",
        "target": "New contracts with outcome measures in place by December 2027.",
        "due": "2027-12-31",
        "status": "not_started",
        "updated": "2026-11-17T16:26:00Z",
    },
]

# Why action 1.4 was dropped, appended to its monitoring note.
DROPPED_NOTE = {
    "1.4": (
        " Dropped in November 2026: a national IRD recording system is due to replace "
        "local trackers, so a local purchase would be wasted; action 1.3 covers quality "
        "meanwhile."
    ),
}

# ---------------------------------------------------------------------------
# Building the document
# ---------------------------------------------------------------------------

FRAMEWORK_KEYS = ("id", "title", "statements", "indicators", "scale")
INDICATOR_KEYS = ("code", "title", "key_question", "area", "statements", "prompts")
STATEMENT_KEYS = ("number", "text")
SCALE_KEYS = ("value", "label", "meaning")


def _only(obj: dict, keys: tuple[str, ...], where: str, dropped: list[str]) -> dict:
    extra = sorted(set(obj) - set(keys))
    dropped.extend(f"{where}.{k}" for k in extra)
    return {k: obj[k] for k in keys if k in obj}


def load_framework(path: Path) -> dict:
    """The framework file, keeping only the members the exchange format allows."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    dropped: list[str] = []
    fw = _only(raw, FRAMEWORK_KEYS, "framework", dropped)
    fw["statements"] = [
        _only(s, STATEMENT_KEYS, f"statements[{i}]", dropped)
        for i, s in enumerate(raw.get("statements", []))
    ]
    fw["indicators"] = [
        _only(ind, INDICATOR_KEYS, f"indicators[{i}]", dropped)
        for i, ind in enumerate(raw.get("indicators", []))
    ]
    fw["scale"] = [
        _only(s, SCALE_KEYS, f"scale[{i}]", dropped) for i, s in enumerate(raw.get("scale", []))
    ]
    if dropped:
        print(f"warning: ignored framework members: {', '.join(dropped)}", file=sys.stderr)
    return fw


def build_participants() -> list[dict]:
    return [
        {"id": uid(f"participant:{key}"), "name": name, "agency": agency, "role": role}
        for key, (name, agency, role) in PARTICIPANTS.items()
    ]


def build_evaluations(framework: dict) -> list[dict]:
    order = {ind["code"]: n for n, ind in enumerate(framework["indicators"])}
    out = []
    for n, item in enumerate(sorted(EVALUATIONS, key=lambda e: order.get(e["indicator"], 999))):
        agreed = item["status"] == "agreed"
        ev = {
            "indicator": item["indicator"],
            "status": item["status"],
            "grade": item.get("grade") if agreed else None,
            "how_good_now": item.get("how_good_now", ""),
            "strengths": list(item.get("strengths", [])),
            "areas_for_improvement": list(item.get("areas_for_improvement", [])),
            "how_do_we_know": item.get("how_do_we_know", ""),
            "what_next": item.get("what_next", ""),
            "rationale": item.get("rationale", ""),
            "proposed_grades": [],
            "dissent": item.get("dissent", ""),
            "previous_grade": item.get("previous_grade"),
            "updated": session_stamp(item["session"], n),
        }
        for key, grade, note in item.get("proposed_grades", []):
            name, agency, _role = PARTICIPANTS[key]
            proposal = {"agency": agency, "participant": uid(f"participant:{key}"), "grade": grade}
            if note:
                proposal["note"] = note
            ev["proposed_grades"].append(proposal)
        out.append(ev)
    return out


def build_evidence() -> list[dict]:
    out = []
    for n, item in enumerate(EVIDENCE):
        rec = {"id": uid(f"evidence:{item['ref']}")}
        rec.update({k: v for k, v in item.items() if k != "session"})
        rec["updated"] = session_stamp(item["session"], -30 + n)
        out.append(rec)
    return out


def build_actions() -> list[dict]:
    out = []
    for item in ACTIONS:
        rec = {"id": uid(f"action:{item['ref']}")}
        rec.update(item)
        if item["ref"] in DROPPED_NOTE:
            rec["monitoring"] = item["monitoring"] + DROPPED_NOTE[item["ref"]]
        out.append(rec)
    return out


def build(framework: dict) -> dict:
    participants = build_participants()
    evaluations = build_evaluations(framework)
    evidence = build_evidence()
    actions = build_actions()
    stamps = [r["updated"] for r in evaluations + evidence + actions]
    workshop = {
        "id": uid("workshop"),
        **WORKSHOP,
        "sessions": SESSIONS,
        "created": CREATED,
        "updated": max(stamps),
    }
    return {
        "format": "carequal-workshop",
        "version": 1,
        "workshop": workshop,
        "framework": framework,
        "participants": participants,
        "evaluations": evaluations,
        "evidence": evidence,
        "actions": actions,
    }


# ---------------------------------------------------------------------------
# Consistency checks (what import checks beyond the schema, and the demo's own promises)
# ---------------------------------------------------------------------------


def check(doc: dict) -> list[str]:
    problems: list[str] = []
    fw = doc["framework"]
    codes = [ind["code"] for ind in fw["indicators"]]
    code_set = set(codes)
    statements = {s["number"] for s in fw["statements"]}
    scale = {s["value"] for s in fw["scale"]}

    ids = [doc["workshop"]["id"]]
    ids += [p["id"] for p in doc["participants"]]
    ids += [e["id"] for e in doc["evidence"]]
    ids += [a["id"] for a in doc["actions"]]
    if len(ids) != len(set(ids)):
        problems.append("duplicate ids")

    evaluated = [e["indicator"] for e in doc["evaluations"]]
    if len(evaluated) != len(set(evaluated)):
        problems.append("more than one evaluation for an indicator")
    if set(evaluated) != code_set:
        problems.append(
            f"evaluations do not match framework: missing {sorted(code_set - set(evaluated))}, "
            f"unknown {sorted(set(evaluated) - code_set)}"
        )
    for ev in doc["evaluations"]:
        if (ev["status"] == "agreed") != (ev["grade"] is not None):
            problems.append(f"evaluation {ev['indicator']}: grade must be set exactly when agreed")
        for g in [ev["grade"], ev["previous_grade"], *(p["grade"] for p in ev["proposed_grades"])]:
            if g is not None and g not in scale:
                problems.append(f"evaluation {ev['indicator']}: grade {g} not on the scale")

    refs = [e["ref"] for e in doc["evidence"]]
    if refs != [f"E{n}" for n in range(1, len(refs) + 1)]:
        problems.append("evidence refs are not E1… consecutive")
    covered = set()
    for e in doc["evidence"]:
        unknown = set(e["indicators"]) - code_set
        if unknown:
            problems.append(f"{e['ref']}: unknown indicators {sorted(unknown)}")
        if not 1 <= len(e["indicators"]) <= 4:
            problems.append(f"{e['ref']}: should link 1 to 4 indicators")
        covered |= set(e["indicators"])
    if code_set - covered:
        problems.append(f"indicators without evidence: {sorted(code_set - covered)}")

    action_refs = [a["ref"] for a in doc["actions"]]
    if len(action_refs) != len(set(action_refs)):
        problems.append("duplicate action refs")
    for a in doc["actions"]:
        if a["statement"] not in statements:
            problems.append(f"action {a['ref']}: unknown statement {a['statement']}")
        if not a["ref"].startswith(f"{a['statement']}."):
            problems.append(f"action {a['ref']}: ref does not match statement {a['statement']}")
        unknown = set(a["indicators"]) - code_set
        if unknown:
            problems.append(f"action {a['ref']}: unknown indicators {sorted(unknown)}")

    # Every "(E12)"-style citation must name an evidence item that exists.
    text = json.dumps([doc["workshop"], doc["evaluations"], doc["actions"]], ensure_ascii=False)
    for cited in sorted(set(re.findall(r"\bE\d+\b", text)) - set(refs)):
        problems.append(f"citation of unknown evidence {cited}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", type=Path, default=FRAMEWORK_PATH)
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH)
    args = parser.parse_args(argv)

    if not args.framework.exists():
        print(f"error: framework file not found: {args.framework}", file=sys.stderr)
        return 2
    doc = build(load_framework(args.framework))
    problems = check(doc)
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 1

    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    print(
        f"wrote {args.output}: {len(doc['participants'])} participants, "
        f"{len(doc['evaluations'])} evaluations, {len(doc['evidence'])} evidence items, "
        f"{len(doc['actions'])} actions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
