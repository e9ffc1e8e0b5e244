"""The training library (issue 8 item 7): the nine case studies of the guide's App. 10,
retold in our own words, for team training and sensitisation (§3.15: "it is helpful to
discuss cases which may happen in real life").

The guide numbers its cases 1 to 10 and has no case 4; we keep its numbers so that a
trainer can find each one there. Each case keeps the facts and the shape of the guide's
story with invented names (fitting Kenya, India, Ukraine and Indonesia, where the guide's
partners work), asks the guide's tasks in our words plus one or two questions of our own,
and names the sections of the guide that answer it (Section 3's support, Section 4's
paths, App. 7 and App. 9). A facilitator's note says what a good discussion covers.

Where Peerwork has a feature for what a case is about, the case links it (``Link``); a
link shows only to members its page answers, so nobody is sent to a page that says "not
found". The words follow LANGUAGE.md (§4.3): person-first, "started using again", never
a word that calls drug use dirty or a person broken.

Nothing here is stored: the cases are text in the code, translatable like every string.
Every working member reads them (``access.uses_concerns``; the ``library`` column of the
[record: concerns] rows of the access matrix).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership

from . import access


@dataclass(frozen=True)
class GuideSection:
    """A part of the guide that answers a case: its reference (``§4.2``, ``App. 9``) and
    its subject in our words."""

    ref: str
    title: Promise


SECTIONS: dict[str, GuideSection] = {
    section.ref: section
    for section in (
        GuideSection("§3.2", _("Code of conduct, alcohol and other drug policies")),
        GuideSection("§3.5", _("Practical arrangements for staff on OST")),
        GuideSection("§3.6", _("Managing chronic health conditions")),
        GuideSection("§3.8", _("Peer risk assessment")),
        GuideSection("§3.9", _("Starting to use again, and preventing burnout")),
        GuideSection("§3.11", _("Peer mentoring")),
        GuideSection("§3.14", _("Performance review")),
        GuideSection("§3.15", _("Sensitisation training for staff who do not use drugs")),
        GuideSection("§4.2", _("Problem drug use and work")),
        GuideSection("§4.4", _("Criminal exposure: arrest, police and the law")),
        GuideSection("§4.5", _("From peer to staff member")),
        GuideSection("§4.6", _("Relationships with clients")),
        GuideSection("§4.7", _("Supplying drugs, or asking others to supply them")),
        GuideSection("App. 3", _("The risk assessment circle")),
        GuideSection("App. 7", _("Holding a review meeting")),
        GuideSection("App. 8", _("A self-control programme")),
        GuideSection("App. 9", _("A checklist for problem drug use at work")),
    )
}


def _everyone(member: Membership) -> bool:
    """The library's own readers: a link to a page every working member has."""
    return access.uses_concerns(member)


@dataclass(frozen=True)
class Link:
    """A Peerwork page that helps with what the case is about ("In Peerwork: …").
    ``shown`` says who the page answers; the link is left out for anyone else."""

    label: Promise
    route: str
    shown: Callable[[Membership], bool] = _everyone


@dataclass(frozen=True)
class Case:
    """One case study: the guide's number, a short title, a one-line summary for the list,
    the story (a few paragraphs), the questions to discuss, the guide's sections that answer
    it, links into Peerwork, a note for whoever leads the discussion, and a credit where the
    guide names who first wrote the case."""

    key: str
    number: int
    title: Promise
    summary: Promise
    story: tuple[Promise, ...]
    questions: tuple[Promise, ...]
    sections: tuple[str, ...]
    facilitator: tuple[Promise, ...]
    links: tuple[Link, ...] = ()
    credit: Promise | None = None
    guide_sections: tuple[GuideSection, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "guide_sections", tuple(SECTIONS[s] for s in self.sections))

    @property
    def route(self) -> str:
        return f"concerns:library_case_{self.number}"

    @property
    def url(self) -> str:
        return reverse(self.route)


# --- the links -----------------------------------------------------------------------------


def _sees_schedule(member: Membership) -> bool:
    from peerwork.schedule.access import sees_schedule

    return sees_schedule(member)


def _sees_shifts(member: Membership) -> bool:
    from peerwork.outreach.access import sees_shifts

    return sees_shifts(member)


def _sees_legal_contacts(member: Membership) -> bool:
    from peerwork.outreach.access import sees_legal_contacts

    return sees_legal_contacts(member)


def _uses_selfcare(member: Membership) -> bool:
    from peerwork.selfcare.access import uses_selfcare

    return uses_selfcare(member)


def _uses_support(member: Membership) -> bool:
    from peerwork.support.access import uses_support

    return uses_support(member)


def _sees_groups(member: Membership) -> bool:
    from peerwork.support.access import sees_groups

    return sees_groups(member)


def _raises_concerns(member: Membership) -> bool:
    return access.raises_concerns(member)


RAISE_SIGNS = Link(
    _("Recording a concern: signs on their own are explained, not counted as a problem"),
    "concerns:concern_new",
    _raises_concerns,
)
RAISE_APP9 = Link(
    _("Recording a concern on the App. 9 path, with targets about work only"),
    "concerns:concern_new",
    _raises_concerns,
)
RAISE_PATTERN = Link(
    _("A time-keeping concern shows an agreed working pattern first"),
    "concerns:concern_new",
    _raises_concerns,
)
RAISE_SUPPLY = Link(
    _("Recording a concern on the supply path (§4.7), with the client's safety first"),
    "concerns:concern_new",
    _raises_concerns,
)
REVIEW_MEETINGS = Link(_("Review meetings and their agreed notes (App. 7)"), "concerns:reviews")
ADVICE = Link(_("Asking for advice before acting (§4.6)"), "concerns:advice_new")
WORKING_PATTERNS = Link(
    _("Your schedule: agreeing working hours as a working pattern"),
    "schedule:mine",
    _sees_schedule,
)
MEETINGS = Link(
    _("Team meetings, and who can join them from the start"),
    "schedule:meetings",
    _sees_schedule,
)
SELF_CONTROL = Link(
    _("A self-control programme, with a peer mentor if wanted (App. 8)"),
    "selfcare:programmes",
    _uses_selfcare,
)
PEER_MENTORING = Link(_("Peer mentoring and coaching"), "support:home", _uses_support)
SUPPORT_GROUPS = Link(_("Peer support groups"), "support:groups", _sees_groups)
RISK_CIRCLE = Link(
    _("A risk circle: thinking through the risks of the work (App. 3)"),
    "selfcare:circle",
    _uses_selfcare,
)
OWN_PLAN = Link(
    _("A private plan for cravings, lapses and the support you want"),
    "selfcare:plan",
    _uses_selfcare,
)
LEGAL_CONTACTS = Link(
    _("Legal contacts: lawyers and legal services to call"),
    "outreach:legal_contacts",
    _sees_legal_contacts,
)
SHIFTS = Link(
    _("Outreach shifts: who is out, and when they are due back"),
    "outreach:schedule",
    _sees_shifts,
)
POLICE_LETTER = Link(
    _("A letter confirming a worker's outreach role, for the police"),
    "outreach:police_letter",
    _sees_shifts,
)


# --- the nine cases ------------------------------------------------------------------------

CASES: tuple[Case, ...] = (
    Case(
        key="signs-on-ost",
        number=1,
        title=_("Pinned pupils, good work"),
        summary=_(
            "A colleague complains about the visible signs of a peer worker on methadone "
            "whose work is good."
        ),
        story=(
            _(
                "Halyna works in the drop-in team and does not use drugs. She comes to you, "
                "the team manager, upset about Bohdan, a peer worker in the same team: she "
                "says he shows signs of drug use at work."
            ),
            _(
                "His pupils are pinned, she says, he sweats, above all when the room is hot "
                "or the weather is warm, and he looks pale. When you ask, Halyna agrees that "
                "he has never fallen asleep or nodded off at work."
            ),
            _(
                "She also agrees that Bohdan works hard and that clients like him, though "
                "she adds that being liked is not what workers are paid for. Bohdan is on a "
                "methadone maintenance programme."
            ),
        ),
        questions=(
            _("What, if anything, concerns you here, and what does not?"),
            _("As Bohdan's line manager, what would you do next, with Halyna and with Bohdan?"),
            _("Which of the signs Halyna describes tell you anything about how Bohdan works?"),
            _(
                "How would you answer Halyna so that she feels heard, without treating "
                "Bohdan's treatment as a problem?"
            ),
        ),
        sections=("§4.2", "§3.15", "App. 9"),
        links=(RAISE_SIGNS,),
        facilitator=(
            _(
                "Pinned pupils, sweating and paleness can be the ordinary effects of a "
                "methadone dose that suits the person. On their own they are not a concern "
                "about work."
            ),
            _(
                "The questions that matter are about work: how he does his job, whether he "
                "is on time, whether he comes in, how he is with clients. Here every answer "
                "is good, so there is nothing to raise with Bohdan."
            ),
            _(
                "A good answer thanks Halyna for speaking up, explains why these signs are "
                "not a problem in themselves, and records no concern. If her unease remains, "
                "sensitisation for the whole team helps more than any step about Bohdan."
            ),
            _(
                "If the group starts guessing about his dose or what else he might take, "
                "bring it back to what can be seen at work."
            ),
        ),
    ),
    Case(
        key="late-work",
        number=2,
        title=_("A strong manager, a hard month"),
        summary=_(
            "A manager on buprenorphine, known for his project skills, has seemed intoxicated "
            "and his work is late."
        ),
        story=(
            _(
                "Arjun has taken buprenorphine for two years. He has been a reliable, "
                "hard-working part of the management team, with a name for running projects "
                "well."
            ),
            _(
                "For the past month, though, he has seemed intoxicated at work. You, his line "
                "manager, have noticed it, and so have his colleagues."
            ),
            _(
                "His work has suffered: pieces of work arrive late, which stands out because "
                "deadlines were never a problem for him. During office hours he also goes out "
                "to the bank often, and each trip takes an hour or more instead of the usual "
                "half hour."
            ),
        ),
        questions=(
            _("What are your concerns, and which of them are about his work?"),
            _("As his line manager, what would you do, and in what order?"),
            _("How would you open the conversation so that Arjun can say what has changed?"),
            _(
                "What targets could you agree with him that are about his work, and not "
                "about his drug use?"
            ),
        ),
        sections=("§4.2", "App. 7", "App. 9", "App. 8"),
        facilitator=(
            _(
                "Here drug use does affect work: deadlines are missed and long absences in "
                "the working day are noticed. That is the point at which it becomes a "
                "problem at work."
            ),
            _(
                "Start with a review meeting: its purpose, the standards that apply, what is "
                "expected at his level, his own account, and the support you agree."
            ),
            _(
                "Explore what may lie behind the change: his role, stress at work or at home, "
                "his treatment. The aim is to understand and support change, not to blame."
            ),
            _(
                "The checklist goes step by step: the evidence, how he does in other areas, "
                "what supervision has covered, support if he acknowledges the problem, then "
                "targets with review dates, outside feedback and his own reflection. Formal "
                "steps come only if nothing changes with support."
            ),
            _(
                "Targets are about work, such as deadlines met and time away in the day "
                "agreed in advance, and never about stopping or changing his drug use."
            ),
        ),
        links=(REVIEW_MEETINGS, RAISE_APP9, SELF_CONTROL, PEER_MENTORING),
    ),
    Case(
        key="clinic-hours",
        number=3,
        title=_("The clinic opens at ten"),
        summary=_(
            "A peer worker on methadone starts late because of her clinic's hours and misses "
            "the start of the weekly team meeting."
        ),
        story=(
            _(
                "Svitlana is a peer worker on methadone, which she collects from her clinic "
                "every day. The clinic starts giving doses at 10:00 and is a 30-minute bus "
                "ride from the office, so she starts work later than everyone else."
            ),
            _(
                "This matters most on Wednesdays, when the team meets in the morning. "
                "Svitlana misses the start of the meeting, and with it the chance to take "
                "part in the discussion and to have a say in decisions."
            ),
            _(
                "She has grown frustrated and has begun finding reasons to leave early. "
                "Colleagues now complain that she works part-time on a full-time salary."
            ),
        ),
        questions=(
            _("What are your concerns as her line manager?"),
            _("What would you do, and with whom would you talk?"),
            _("How could the team meeting change so that everyone can take part from the start?"),
            _(
                "How would you answer the colleagues who complain, without telling them "
                "anything Svitlana has not chosen to share?"
            ),
        ),
        sections=("§3.5", "§3.6", "App. 7"),
        facilitator=(
            _(
                "The late start is not a time-keeping problem: it follows from the clinic's "
                "hours. Staff on OST need working hours that fit their dosing, agreed openly "
                "as part of their terms."
            ),
            _(
                "Agree her hours as a working pattern, for example starting at 10:45, and "
                "move the team meeting, or its main items, to a time everyone can make."
            ),
            _(
                "Leaving early is a separate matter to talk about with her once her hours "
                "are agreed; the frustration behind it may ease when she can take part."
            ),
            _(
                "Colleagues are told that her hours are agreed, not why, unless she wants "
                "them to know. Flexible hours for health reasons are open to all staff, so "
                "nobody is treated as a special case."
            ),
        ),
        links=(WORKING_PATTERNS, MEETINGS, RAISE_PATTERN),
    ),
    Case(
        key="community-roots",
        number=5,
        title=_("Too close to say no"),
        summary=_(
            "A trusted peer worker lends money to clients who come to his home, against the "
            "organisation's rules."
        ),
        story=(
            _(
                "Omondi was recruited from the local community of people who use drugs, "
                "where he is well known and trusted. He is so much a part of it that the "
                "usual boundaries between worker and client hardly work for him, and yet "
                "that closeness is also why he is so good at the job."
            ),
            _(
                "In supervision he has told you that clients come to his home and ask him for money."
            ),
            _(
                "His peers respect him and value his work, but having a wage while so many "
                "of them are struggling makes him feel guilty. So he lends money to "
                "clients, which causes bad feeling among other peers and is against the "
                "organisation's rules. He finds it hard to refuse when they talk about their "
                "shared past and how differently things have turned out."
            ),
        ),
        questions=(
            _("What are your concerns, for Omondi, for the clients and for the organisation?"),
            _("As his line manager, what would you do?"),
            _(
                "What support could help Omondi keep a boundary without losing his place in the community?"
            ),
            _("What could the organisation change so that he does not have to say no alone?"),
        ),
        sections=("§4.5", "§4.6", "§3.8", "§3.11"),
        facilitator=(
            _(
                "He raised this himself, in supervision. That openness is worth thanking "
                "him for and protecting."
            ),
            _(
                "Lending money blurs boundaries: a client who owes money may stay away from "
                "the service, and a worker who is owed money may avoid a client."
            ),
            _(
                "Moving from peer to staff member can bring jealousy and bad feeling from "
                "former peers. His guilt about his salary is part of that change and worth "
                "naming."
            ),
            _(
                "Helpful steps: restate the rule and the reason for it; agree where he can "
                "send requests for money, such as services that can help; offer peer "
                "mentoring, and a peer risk assessment that looks at his relationships with "
                "clients."
            ),
            _(
                "Clients coming to his home is also a safety question: agree with him how "
                "he can say no, and where clients can reach the service instead."
            ),
        ),
        links=(ADVICE, PEER_MENTORING, RISK_CIRCLE),
    ),
    Case(
        key="police-raid",
        number=6,
        title=_("Caught in a raid"),
        summary=_(
            "A peer outreach worker who supplies a seller's needle exchange is arrested in a "
            "police raid that makes the news."
        ),
        story=(
            _(
                "Manoj is a peer outreach worker who regularly does outreach in a house where "
                "drugs are sold. The seller runs a second needle exchange there: Manoj brings "
                "new injecting equipment to the house, and the seller gives it free to the "
                "customers who inject."
            ),
            _(
                "You are Manoj's manager. The local police station calls you: the house has "
                "been raided, and Manoj was arrested there with five customers and the seller."
            ),
            _(
                "The police took away a quantity of heroin and told the press that the raid "
                "was a success."
            ),
        ),
        questions=(
            _("What would you do for Manoj, today and in the weeks to come?"),
            _("What else would you do, inside and outside the organisation?"),
            _("What would you say if a journalist called you about the raid?"),
            _("What would you want to have in place before a day like this one?"),
        ),
        sections=("§4.4", "§3.8"),
        facilitator=(
            _(
                "He was arrested while doing his job. The organisation has a duty of care: "
                "he is innocent until proven guilty, and the first step is a lawyer and his "
                "release as soon as possible."
            ),
            _(
                "Prosecution is for the courts, not the employer. The organisation's question "
                "is whether he worked as its outreach policy says, and staff who did deserve "
                "its full support."
            ),
            _(
                "Think also of the others arrested, of the clients who relied on that "
                "exchange, and of the organisation's relations with the police and the press."
            ),
            _(
                "Before a day like this: an outreach policy saying what to do on arrest, "
                "agreements or letters from the police, lawyers to call, a record of who is "
                "on shift and when they are due back, and a peer risk assessment."
            ),
        ),
        links=(LEGAL_CONTACTS, SHIFTS, POLICE_LETTER),
    ),
    Case(
        key="buying-for-a-client",
        number=7,
        title=_("A commission on a client's drugs"),
        summary=_(
            "A client tells the manager that a peer worker buys drugs for her for a "
            "commission, and asks for another worker."
        ),
        story=(
            _(
                "Agus is a peer worker on a project: he does outreach and runs the needle and "
                "syringe programme, which brings him into close contact with clients who use "
                "drugs. He has worked for your organisation for a year, and done his job well."
            ),
            _(
                "A client, Wulan, comes to see you as his line manager. She tells you that "
                "Agus has been helping her to buy drugs and charging her a commission for it. "
                "She liked this at first: the drugs he got were good and fairly priced, and "
                "she no longer had to risk buying on the street."
            ),
            _(
                "Now she is cutting down and wants to use the drop-in centre, but whenever "
                "she comes in she sees Agus, and it makes her want to buy more heroin. She "
                "asks to be given a different worker, and says she does not want Agus to be "
                "in trouble because of her."
            ),
        ),
        questions=(
            _("How would you respond to Wulan and to what she asks?"),
            _("What would your next steps with Agus be?"),
            _("How do you keep Wulan's trust if what she told you leads to an investigation?"),
            _("Who should support Agus while it is looked into, and who should look into it?"),
        ),
        sections=("§4.6", "§4.7"),
        facilitator=(
            _(
                "Wulan comes first: thank her, give her a different worker at once, and make "
                "sure she can use the drop-in without meeting Agus there while this is looked "
                "into."
            ),
            _(
                "Buying drugs for a client for a fee is supply, and it crosses the boundaries "
                "a worker keeps with clients. It needs an investigation under the normal "
                "disciplinary procedure."
            ),
            _(
                "Agus is presumed innocent, and he is still an employee until the "
                "investigation ends. If he is suspended, he is supported; those who support "
                "him take no part in the investigation, and those who investigate do not "
                "support him."
            ),
            _(
                "Be honest with Wulan about what may happen next. Her wish not to get him into "
                "trouble is respected as far as the organisation's duty to other clients "
                "allows."
            ),
        ),
        links=(RAISE_SUPPLY,),
    ),
    Case(
        key="court-date",
        number=8,
        title=_("A court date for carrying needles"),
        summary=_(
            "A peer outreach worker and young mother faces a long prison term for carrying "
            "injecting equipment."
        ),
        story=(
            _(
                "Mwanaisha is 24 and the mother of a two-year-old son, and lives on the Kenyan "
                "coast. Like many people who use drugs there, she has faced violence and "
                "discrimination, including harassment, violations of her rights and false "
                "charges by the police. She says that life as someone who injects drugs has "
                "been unbearable."
            ),
            _(
                "A local harm reduction organisation employs her as a peer worker and has "
                "trained her in harm reduction and safer injecting. As a peer outreach worker "
                "she offers health services at a den, a place where her peers gather to use "
                "drugs and where most of them respect her. "
                "At weekends, above all at night, she hands out sterile needles and syringes, "
                "and at times she is caught up in a police raid."
            ),
            _(
                "As her project manager, you learn that she is to appear in court, charged "
                "with possessing drug paraphernalia. She faces between 5 and 20 years in "
                "prison."
            ),
        ),
        questions=(
            _("What would you do for Mwanaisha?"),
            _("What is your part as her project manager in this, and what is not?"),
            _(
                "Who looks after her son if she is held, and how could the organisation help her plan for it?"
            ),
            _("What does her case tell you about how outreach at night is organised?"),
        ),
        sections=("§4.4", "§3.8"),
        facilitator=(
            _(
                "The needles and syringes she carried are the tools of her job. She deserves "
                "the organisation's full support: a lawyer, a letter confirming her role, and "
                "someone beside her in court."
            ),
            _(
                "Prosecution is for the courts, not the employer. Nothing in this story is a "
                "disciplinary matter."
            ),
            _(
                "Think of her family: care for her son on court days or if she is held, and "
                "her pay and leave while the case goes on."
            ),
            _(
                "For the longer term: identification for outreach workers, agreements with "
                "the police, training for police officers, outreach in pairs, and a plan for "
                "raids that the team has agreed."
            ),
            _(
                "Any record of violence or corruption by the police is made only with her "
                "full understanding and consent: documenting it can be dangerous."
            ),
        ),
        links=(LEGAL_CONTACTS, POLICE_LETTER, RISK_CIRCLE),
        credit=_("First written by Reachout Centre Trust and KANCO, Kenya."),
    ),
    Case(
        key="children-at-work",
        number=9,
        title=_("Children at the office"),
        summary=_(
            "A senior field worker who meets her targets brings her children to work, often "
            "leaves early and comes in late."
        ),
        story=(
            _(
                "Ratna is 30 and used drugs in the past. She is divorced and has two children "
                "under five, whom she often brings to the office and leaves there while she "
                "works."
            ),
            _(
                "She is a senior field worker who regularly meets her targets, and her "
                "experience is valuable to the organisation. She often asks to go home during "
                "the day to care for the children, and she arrives late in the mornings."
            ),
            _(
                "Because staff come and go quickly, new field workers tend to copy the "
                "senior ones. Senior managers fear that newcomers will take Ratna's habits "
                "as the norm, and that this will spread through the team. The organisation "
                "also has no space where children can be looked after."
            ),
        ),
        questions=(
            _("What should the manager do?"),
            _(
                "How can the manager help Ratna talk about what makes work hard for her at "
                "the moment, and what she needs?"
            ),
            _("Which of the worries are about her work, and which are about what others might do?"),
            _("What would a fair arrangement look like for any parent on the staff?"),
        ),
        sections=("§3.6", "§3.14", "App. 7"),
        facilitator=(
            _(
                "Her work is good: she meets her targets. The questions are her hours, leaving "
                "during the day, and children in an office not set up for them. None of this "
                "is about drug use, and her past has no place in the discussion."
            ),
            _(
                "Flexible hours can be agreed openly, so that a later start or leaving at a set "
                "time is part of her working pattern instead of a favour asked for each day."
            ),
            _(
                "A performance review is a good moment to agree what is expected and the "
                "support she needs, and to recognise her as an experienced worker whom new "
                "staff can learn from."
            ),
            _(
                "The worry about new staff is answered by clear, fair rules that apply to "
                "everyone, not by singling her out."
            ),
        ),
        links=(WORKING_PATTERNS, REVIEW_MEETINGS),
        credit=_("First written by Rumah Cemara, Indonesia."),
    ),
    Case(
        key="starting-again",
        number=10,
        title=_("When colleagues start using again"),
        summary=_(
            "A manager who has used drugs himself struggles when staff living with HIV start "
            "using again."
        ),
        story=(
            _(
                "Many people draw a line between people in recovery, people who used drugs in "
                "the past and people who use drugs now. In practice the line is thin, and it "
                "is easy to start using again."
            ),
            _(
                "Bayu, a manager who has used drugs himself, knows that some of his staff with "
                "experience of drug use are also living with HIV. He finds it especially hard "
                "when one of them starts using again: they may get into trouble with the law, "
                "put their health at risk or overdose, and conflicts can arise between "
                "colleagues."
            ),
            _(
                "Bayu believes that involving people who use drugs in harm reduction and HIV "
                "work matters. He also knows that the organisation has to protect itself from "
                "breaking the law when staff use and buy drugs."
            ),
        ),
        questions=(
            _(
                "As a manager, what do you need to do to support the involvement of people "
                "who use drugs in your organisation?"
            ),
            _("What do you need to do to make the workplace comfortable for everyone?"),
            _(
                "What would a colleague who has started using again need to hear from their "
                "manager in the first conversation?"
            ),
            _("Which of Bayu's worries belong to the code of conduct, and which to support?"),
        ),
        sections=("§3.2", "§3.9", "§4.2"),
        facilitator=(
            _(
                "Starting to use again is not a failure: a lapse is not a collapse. Help with "
                "cravings, with risky situations and with the pressures behind them is part "
                "of what the organisation offers."
            ),
            _(
                "The code of conduct and the drug policy rest on fitness to work: what matters "
                "is how someone does their job, not whether they use drugs. Drug use becomes a "
                "matter for work when it affects performance, time-keeping or attendance."
            ),
            _(
                "Health comes with support: time for treatment, knowing where to get help, "
                "and knowing what to do about an overdose."
            ),
            _(
                "Buying or using drugs at work or with clients is covered by clear rules that "
                "staff helped to write. A workplace is comfortable for everyone when the rules "
                "are known and applied to all in the same way."
            ),
        ),
        links=(OWN_PLAN, SUPPORT_GROUPS, PEER_MENTORING),
        credit=_("First written by Rumah Cemara, Indonesia."),
    ),
)

NUMBERS: tuple[int, ...] = tuple(case.number for case in CASES)


def case_numbered(number: int) -> Case:
    for case in CASES:
        if case.number == number:
            return case
    raise LookupError(number)


def neighbours(case: Case) -> tuple[Case | None, Case | None]:
    """The cases before and after, for reading them in order."""
    at = CASES.index(case)
    return (CASES[at - 1] if at > 0 else None, CASES[at + 1] if at + 1 < len(CASES) else None)


@dataclass(frozen=True)
class ShownLink:
    label: Promise
    url: str


def links_for(member: Membership, case: Case) -> list[ShownLink]:
    """The case's links into Peerwork that ``member``'s pages answer. A route that is not
    (or no longer) there is left out rather than breaking the page; the tests make sure
    every link names a real route."""
    shown = []
    for link in case.links:
        if not link.shown(member):
            continue
        try:
            url = reverse(link.route)
        except NoReverseMatch:
            continue
        shown.append(ShownLink(link.label, url))
    return shown
