"""Revision pairs for bench/diff_precision.py: invented stories, each paragraph a list of its sentences.

Written for the benchmark (no third-party text), modelled on how stories are edited after publication: a
figure corrected, a sentence inserted into a paragraph, a clause rewritten, a quote softened, an attribution
added, a paragraph rewritten keeping two of its sentences, a paragraph moved. The sentence lists are the
ground truth of where sentences end, so the measure does not depend on the splitter being measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Story = list[list[str]]  # paragraphs, each a list of sentences


@dataclass
class Revision:
    """One edit of a story: old and new bodies as sentence lists; joiner glues sentences into a paragraph."""

    name: str
    lang: str
    old: Story
    new: Story
    joiner: str = " "

    def paragraphs(self, story: Story) -> list[str]:
        return [self.joiner.join(p) for p in story]


@dataclass
class Change:
    """Edits to a story by (paragraph, sentence) index; applied in the order: replace, insert, delete."""

    replace: dict[tuple[int, int], str] = field(default_factory=dict)
    insert_after: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    delete: set[tuple[int, int]] = field(default_factory=set)
    rewrite: dict[int, list[str]] = field(default_factory=dict)  # a paragraph's new sentence list
    move: tuple[int, int] | None = None  # paragraph from, to (indices in the story after the other changes)


def revise(story: Story, change: Change) -> Story:
    out: Story = []
    for p, sentences in enumerate(story):
        if p in change.rewrite:
            out.append(list(change.rewrite[p]))
            continue
        para: list[str] = []
        if (p, -1) in change.insert_after:
            para += change.insert_after[(p, -1)]
        for s, sentence in enumerate(sentences):
            if (p, s) not in change.delete:
                para.append(change.replace.get((p, s), sentence))
            para += change.insert_after.get((p, s), [])
        out.append(para)
    if change.move:
        frm, to = change.move
        out.insert(to, out.pop(frm))
    return out


COUNCIL: Story = [
    [
        "The Riverton city council voted 6-3 on Tuesday night to close two of the city's four public pools "
        "next summer, citing a budget gap of $4.2 million.",
        "The decision followed a three-hour meeting in which more than 40 residents spoke against the plan.",
    ],
    [
        "Council member Dana Ortiz, who proposed the closures, said the city had run out of painless options.",
        '"This is painful but honest," Ortiz said.',
        '"We cannot keep pretending the money is there."',
        "She said the pools on Elm Street and in Harbor Park would close on June 1.",
    ],
    [
        "Opponents said the closures would fall hardest on families in the city's east side, where the "
        "nearest alternative pool is more than five miles away.",
        "Many of them are students and retirees who rely on the bus.",
        "A petition against the plan has gathered 2,300 signatures since March.",
    ],
    [
        "The U.S. Census Bureau estimates that 18 percent of Riverton children live in poverty.",
        "Dr. Helen Marsh, a pediatrician at St. Luke's Hospital, told the council that summer swimming "
        "programs cut drowning deaths among children.",
        '"These pools are not a luxury," Marsh said.',
    ],
    [
        "Mayor Tom Becker, who can veto the decision, did not say whether he would.",
        "A spokesman said the mayor would review the vote this week.",
        "The council would need seven votes to override a veto.",
    ],
    [
        "The city's budget for the next fiscal year must be adopted by June 30.",
        "Officials have warned that further cuts to libraries and parks are possible.",
    ],
]

STORM: Story = [
    [
        "A powerful storm swept across the region on Sunday, knocking out power to about 120,000 homes and businesses.",
        "At least three people were killed, according to state officials.",
        "Emergency crews worked through the night to clear fallen trees from major roads.",
    ],
    [
        "Gov. Linda Hayes declared a state of emergency in 12 counties.",
        "She said the National Guard would help with cleanup.",
        '"We will get through this together," Hayes said at a news conference in the capital.',
    ],
    [
        "The storm brought winds of up to 80 mph and more than four inches of rain in some places.",
        "The National Weather Service said it was the strongest storm to hit the area since 2011.",
        "Rivers were expected to crest on Tuesday.",
    ],
    [
        "Utility officials said most customers would have power restored by Wednesday.",
        "Some rural areas could wait until the end of the week.",
    ],
    [
        "Schools in at least 20 districts were closed on Monday.",
        "Several bridges remained closed pending inspection by the U.S. Army Corps of Engineers.",
    ],
]

TRIAL: Story = [
    [
        "A federal jury on Friday found former state senator Mark Delaney guilty on four counts of fraud.",
        "He was acquitted on two other charges.",
    ],
    [
        "Prosecutors said Mr. Delaney took more than $600,000 in bribes from a construction company between "
        "2017 and 2020.",
        "In exchange, they said, he steered state contracts to the firm.",
        "The company's owner pleaded guilty last year and testified against him.",
    ],
    [
        "Delaney's lawyer, J. R. Whitman, said his client would appeal.",
        '"The verdict is a travesty," Whitman said outside the courthouse.',
        '"The jury was misled from the first day."',
    ],
    [
        "Sentencing is scheduled for March 14.",
        "Each count carries a maximum sentence of 20 years in prison.",
        "Legal experts said he was likely to face far less time.",
    ],
    [
        "Delaney served in the state Senate from 2009 to 2021.",
        "He chaired the transportation committee for six of those years.",
    ],
]

# Traditional Chinese, written for the benchmark; sentences end with 。！？ and are joined without spaces.
ZH_BUDGET: Story = [
    ["台北市政府今日宣布，明年起將在全市設置三百座公共充電站。", "總預算約新台幣十億元，分三年執行。"],
    [
        "交通局長林志明表示，第一批充電站將於三月啟用。",
        "優先設在捷運站與大型停車場周邊。",
        "他說：「這是市府推動淨零排放的重要一步。」",
    ],
    ["議員批評計畫缺乏配套。", "有議員質疑充電站的電力來源與維護費用。", "要求市府在下次定期會提出完整報告。"],
    ["市府強調，充電站將採公開招標。", "並由民間業者負責營運與維護。", "收費標準將在明年初公布。"],
]

ZH_QUAKE: Story = [
    [
        "花蓮縣今天清晨發生規模六點一地震。",
        "全台多處有感，目前已知有十五人受傷。",
        "中央氣象署表示，震源深度約十二公里。",
    ],
    ["地震造成花蓮市兩棟大樓傾斜。", "消防局已疏散附近約兩百名居民。", "縣長表示將全力協助受災戶安置。"],
    ["台鐵北迴線一度停駛。", "經檢查軌道無損後，已於上午九時恢復通車。"],
    ["氣象署提醒，未來一週仍可能發生規模五以上的餘震。", "民眾應注意自身安全。"],
]

EN = " "
ZH = ""

REVISIONS: list[Revision] = []


def _add(name: str, lang: str, story: Story, change: Change) -> None:
    REVISIONS.append(Revision(name, lang, story, revise(story, change), EN if lang == "en" else ZH))


# English: figures fixed
_add("en-number-fixed", "en", COUNCIL, Change(replace={(0, 0): COUNCIL[0][0].replace("$4.2 million", "$3.8 million")}))
_add("en-count-fixed", "en", STORM, Change(replace={(0, 0): STORM[0][0].replace("120,000", "210,000")}))
_add(
    "en-toll-fixed",
    "en",
    STORM,
    Change(replace={(0, 1): "At least five people were killed, including two children, according to state officials."}),
)
_add("en-date-fixed", "en", TRIAL, Change(replace={(3, 0): "Sentencing is scheduled for March 21."}))
# English: sentences inserted into a paragraph
_add(
    "en-sentence-inserted",
    "en",
    COUNCIL,
    Change(insert_after={(2, 0): ["Some said they had not been told of the meeting until Monday."]}),
)
_add(
    "en-two-inserted",
    "en",
    STORM,
    Change(
        insert_after={
            (1, 1): ["The U.S. Department of Homeland Security approved federal aid late on Sunday."],
            (2, 2): ["Flood warnings remained in effect for three counties."],
        }
    ),
)
_add(
    "en-response-added",
    "en",
    TRIAL,
    Change(insert_after={(2, 2): ["A spokeswoman for the U.S. attorney's office declined to comment on the appeal."]}),
)
# English: clauses rewritten
_add(
    "en-clause-rewritten",
    "en",
    COUNCIL,
    Change(
        replace={
            (2, 0): "Opponents said the closures would hurt families on the east side most, since the nearest other "
            "pool there is a long bus ride away."
        }
    ),
)
_add(
    "en-attribution-changed",
    "en",
    STORM,
    Change(replace={(2, 1): "Forecasters said it was among the strongest storms to hit the area in a decade."}),
)
_add(
    "en-charges-clarified",
    "en",
    TRIAL,
    Change(
        replace={
            (1, 0): "Prosecutors said Mr. Delaney accepted at least $600,000 in cash and gifts from a construction "
            "company over three years."
        }
    ),
)
# English: quotes softened
_add("en-quote-softened", "en", COUNCIL, Change(replace={(1, 1): '"This is difficult but necessary," Ortiz said.'}))
_add(
    "en-quote-cut",
    "en",
    TRIAL,
    Change(replace={(2, 1): '"We disagree with the verdict," Whitman said outside the courthouse.'}, delete={(2, 2)}),
)
_add(
    "en-quote-softened-2", "en", COUNCIL, Change(replace={(3, 2): '"These pools matter to our children," Marsh said.'})
)
# English: heavy rewrites keeping two sentences
_add(
    "en-rewrite-keeps-two",
    "en",
    COUNCIL,
    Change(
        rewrite={
            1: [
                "Ortiz, who first proposed the closures in January, said the council had looked at every other option.",
                '"This is painful but honest," Ortiz said.',
                "She said staff had found no way to keep all four pools open without raising fees.",
                "She said the pools on Elm Street and in Harbor Park would close on June 1.",
            ]
        }
    ),
)
_add(
    "en-rewrite-keeps-two-b",
    "en",
    STORM,
    Change(
        rewrite={
            2: [
                "Wind gusts reached 92 mph on the coast, the highest readings in the state's records.",
                "The National Weather Service said it was the strongest storm to hit the area since 2011.",
                "Some towns received six inches of rain in less than a day.",
                "Rivers were expected to crest on Tuesday.",
            ]
        }
    ),
)
_add(
    "en-rewrite-keeps-two-c",
    "en",
    TRIAL,
    Change(
        rewrite={
            1: [
                "Prosecutors said Mr. Delaney took more than $600,000 in bribes from a construction company between "
                "2017 and 2020.",
                "The money came in cash, in gifts and in payments to a consulting firm run by his brother-in-law, "
                "according to testimony.",
                "The company's owner pleaded guilty last year and testified against him.",
            ]
        }
    ),
)
_add(
    "en-rewrite-whole",
    "en",
    COUNCIL,
    Change(
        rewrite={
            4: [
                "Mayor Tom Becker said on Wednesday that he would veto the decision.",
                "Supporters of the closures do not appear to have the seven votes needed to override him.",
            ]
        }
    ),
)
# English: abbreviations in a changed sentence
_add(
    "en-us-changed",
    "en",
    STORM,
    Change(
        replace={
            (4, 1): "Several bridges remained closed on Monday pending inspection by the U.S. Army Corps of "
            "Engineers and state crews."
        }
    ),
)
_add(
    "en-dr-changed",
    "en",
    COUNCIL,
    Change(
        replace={
            (3, 1): "Dr. Helen Marsh, a pediatrician at St. Luke's Hospital, told the council that swimming lessons "
            "reduce drowning deaths."
        }
    ),
)
_add(
    "en-initials-changed",
    "en",
    TRIAL,
    Change(
        replace={(2, 0): "Delaney's lawyer, J. R. Whitman, said his client would appeal the verdict within 30 days."}
    ),
)
# English: paragraphs moved, one also edited, with another edit elsewhere
_add("en-moved", "en", COUNCIL, Change(move=(5, 1)))
_add(
    "en-moved-edited",
    "en",
    STORM,
    Change(replace={(3, 1): "Some rural areas could be without power until Saturday."}, move=(3, 1)),
)
_add(
    "en-moved-and-other-edit",
    "en",
    TRIAL,
    Change(replace={(1, 2): "The company's owner pleaded guilty in 2023 and testified against him."}, move=(4, 0)),
)
_add(
    "en-moved-neighbour-edited",
    "en",
    COUNCIL,
    Change(replace={(1, 1): '"This is difficult but necessary," Ortiz said.'}, move=(2, 0)),
)
_add(
    "en-sentence-deleted",
    "en",
    STORM,
    Change(delete={(0, 2)}, replace={(1, 0): "Gov. Linda Hayes declared a state of emergency in 14 counties."}),
)

# Traditional Chinese
_add("zh-number-fixed", "zh-TW", ZH_BUDGET, Change(replace={(0, 1): "總預算約新台幣十二億元，分三年執行。"}))
_add(
    "zh-injured-fixed", "zh-TW", ZH_QUAKE, Change(replace={(0, 1): "全台多處有感，目前已知有二十三人受傷，一人死亡。"})
)
_add(
    "zh-sentence-inserted",
    "zh-TW",
    ZH_BUDGET,
    Change(insert_after={(2, 1): ["另有議員關心充電站是否會占用機車停車格。"]}),
)
_add(
    "zh-clause-rewritten",
    "zh-TW",
    ZH_QUAKE,
    Change(replace={(1, 1): "消防局已緊急疏散附近三百多名居民，並設置臨時收容所。"}),
)
_add("zh-quote-softened", "zh-TW", ZH_BUDGET, Change(replace={(1, 2): "他說：「這是市府推動節能的一步。」"}))
_add(
    "zh-rewrite-keeps-two",
    "zh-TW",
    ZH_BUDGET,
    Change(
        rewrite={
            3: [
                "市府強調，充電站將採公開招標。",
                "得標廠商須負責十年營運，並定期接受市府查核。",
                "收費標準將在明年初公布。",
            ]
        }
    ),
)
_add(
    "zh-rewrite-keeps-two-b",
    "zh-TW",
    ZH_QUAKE,
    Change(
        rewrite={
            0: [
                "花蓮縣今天清晨發生規模六點一地震。",
                "這是今年以來花蓮最大的一次地震，全台均有明顯搖晃。",
                "中央氣象署表示，震源深度約十二公里。",
            ]
        }
    ),
)
_add("zh-moved", "zh-TW", ZH_QUAKE, Change(move=(3, 1)))
_add(
    "zh-moved-edited",
    "zh-TW",
    ZH_BUDGET,
    Change(replace={(2, 2): "要求市府在兩週內提出完整報告。"}, move=(2, 0)),
)

# Developing stories are recast as facts come in: most of a paragraph rewritten around a short quote or
# attribution that stays, figures updated in several sentences, sentences reordered within a paragraph.
FIRE: Story = [
    [
        "A fire tore through a six-story apartment building in the Northgate district early on Thursday.",
        "Firefighters were called at about 2:40 a.m.",
        "Residents said the alarm did not sound.",
        '"We just ran," one man said.',
        "The cause of the fire was not immediately known.",
        "The building's owner could not be reached.",
    ],
    [
        "Fire Chief Anna Roth said 14 people were taken to hospital, two in critical condition.",
        "About 60 residents were displaced.",
        "The Red Cross opened a shelter at Northgate High School.",
        "Roth said crews searched every unit.",
    ],
    [
        "City records show the building failed a fire inspection in 2022.",
        "Inspectors cited broken smoke detectors on three floors.",
        "It was not clear whether the problems were fixed.",
        "A city spokesman said the records were being reviewed.",
    ],
]

_add(
    "en-developing-rewrite",
    "en",
    FIRE,
    Change(
        rewrite={
            0: [
                "A fire that killed two people tore through a six-story apartment building in the Northgate district "
                "early on Thursday, trapping residents on the upper floors.",
                "Firefighters were called at about 2:40 a.m.",
                "Several residents told reporters they never heard an alarm and escaped down smoke-filled stairs.",
                '"We just ran," one man said.',
                "Investigators said on Thursday afternoon that the fire began in a ground-floor storage room.",
            ]
        }
    ),
)
_add(
    "en-developing-figures",
    "en",
    FIRE,
    Change(
        rewrite={
            1: [
                "Fire Chief Anna Roth said 19 people were taken to hospital, including four children, and that two "
                "of them had died.",
                "About 60 residents were displaced.",
                "The Red Cross said on Thursday evening that 45 of them were staying at a shelter at Northgate High "
                "School and the rest with relatives.",
                "Roth said crews searched every unit.",
            ]
        }
    ),
)
_add(
    "en-records-recast",
    "en",
    FIRE,
    Change(
        rewrite={
            2: [
                "City records reviewed by the newspaper show inspectors found broken smoke detectors on three floors "
                "in 2022 and ordered the owner to replace them within 30 days.",
                "It was not clear whether the problems were fixed.",
                "No follow-up inspection appears in the records.",
                "A city spokesman said the records were being reviewed.",
            ]
        }
    ),
)
_add(
    "en-reordered-in-paragraph",
    "en",
    FIRE,
    Change(
        rewrite={
            0: [
                "A fire tore through a six-story apartment building in the Northgate district early on Thursday.",
                "The cause of the fire was not immediately known.",
                "Firefighters were called at about 2:40 a.m.",
                "Residents said the alarm did not sound.",
                '"We just ran," one man said.',
                "The building's owner, Northgate Holdings, said in a statement that it was cooperating with "
                "investigators.",
            ]
        }
    ),
)
_add(
    "en-insert-and-fix",
    "en",
    FIRE,
    Change(
        replace={(1, 1): "About 80 residents were displaced."},
        insert_after={(1, 0): ["One of the injured, a firefighter, was released on Thursday afternoon."]},
    ),
)
_add(
    "en-quote-swap",
    "en",
    COUNCIL,
    Change(
        replace={
            (1, 1): '"Nobody on this council wanted to close a single pool, and I certainly did not," Ortiz said.',
            (1, 3): "She said the pools on Elm Street and in Harbor Park could close as soon as June, unless the "
            "state restores its grant.",
        }
    ),
)
_add(
    "en-update-lede",
    "en",
    STORM,
    Change(
        rewrite={
            0: [
                "Thousands of people remained without power on Monday, a day after a powerful storm swept across the "
                "region and killed at least five people.",
                "At least three people were killed, according to state officials.",
                "Emergency crews worked through the night to clear fallen trees from major roads.",
            ]
        },
        delete=set(),
    ),
)

ZH_FIRE: Story = [
    [
        "新北市三重區一棟五層樓公寓今天凌晨發生火警。",
        "消防局接獲報案後派遣四十輛消防車前往搶救。",
        "住戶表示，火災警報器並未響起。",
        "起火原因仍待調查。",
    ],
    [
        "消防局表示，共有十二人送醫，其中兩人傷勢較重。",
        "約四十名住戶暫時無法返家。",
        "市府已在附近國小設置臨時安置中心。",
    ],
]

_add(
    "zh-developing-rewrite",
    "zh-TW",
    ZH_FIRE,
    Change(
        rewrite={
            0: [
                "新北市三重區一棟五層樓公寓今天凌晨發生奪命火警，造成兩人死亡。",
                "消防局接獲報案後派遣四十輛消防車前往搶救。",
                "多名住戶向記者表示，當時完全沒有聽到警報聲，只能摸黑逃生。",
                "起火原因仍待調查。",
            ]
        }
    ),
)
_add(
    "zh-developing-figures",
    "zh-TW",
    ZH_FIRE,
    Change(
        rewrite={
            1: [
                "消防局下午更新資訊，共有十五人送醫，其中兩人到院前已無生命跡象。",
                "約四十名住戶暫時無法返家。",
                "市府社會局表示，已安排三十多人入住附近旅館，其餘住戶暫住親友家。",
            ]
        }
    ),
)
_add(
    "zh-recast-around-short",
    "zh-TW",
    ZH_QUAKE,
    Change(
        rewrite={
            1: [
                "地震造成花蓮市兩棟大樓傾斜，其中一棟仍有住戶受困，消防隊正以雲梯車救援。",
                "消防局已疏散附近約兩百名居民。",
                "縣長下午前往現場視察，宣布成立災害應變中心，受災戶每戶可領慰問金五萬元。",
            ]
        }
    ),
)
