"""How long the anonymisation scanner takes on a long story: the goal is ≤ 100 ms.

Run from the repository root: ``.venv/bin/python bench/scan_bench.py`` (``make bench`` does).
Scans a fictional 5,000-word story, split into the ~30 texts a real story page has, against 50
fictional identifying terms in Latin, Thai and Khmer script, and prints the median of 20 runs.
Needs no database and no Django settings.

``fictional_story`` and ``fictional_terms`` are also the clean-prose fixture of
tests/stories/test_anonymisation.py: every word here is invented or ordinary.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stories.anonymisation import PublicText, Term

GOAL_MS = 100.0
RUNS = 20
STORY_WORDS = 5_000

# Fictional, and obviously so: the Thai name is "Fictitious Counterfeit".
TERMS: list[tuple[str, str]] = [
    ("Testchai Fakesert", "name"),
    ("สมมติ ปลอมแปลง", "name"),
    ("Testina Canaryson", "name"),
    ("Dummala Placeholda", "name"),
    ("Fictiona Madeupova", "name"),
    ("Quentin Testerton", "name"),
    ("Zorblat Nonesuch", "name"),
    ("Mockara Samplewood", "name"),
    ("Pretendia Notreal", "name"),
    ("Bogusta Inventova", "name"),
    ("Nguyen Van Testo", "name"),
    ("Sok Chantha", "name"),
    ("សុខ ចាន់ថា", "name"),
    ("តេស្ត សាកល្បង", "name"),
    ("มะลิวัลย์ ทดลองดี", "name"),
    ("กุหลาบ สมมุติกุล", "name"),
    ("Tessie", "nickname"),
    ("Canny", "nickname"),
    ("Dumdum", "nickname"),
    ("น้องทดลอง", "nickname"),
    ("Ban Nong Testa", "place"),
    ("Fakeville", "place"),
    ("Imaginary Creek", "place"),
    ("Mockton Junction", "place"),
    ("บ้านหนองสมมุติ", "place"),
    ("ភូមិតេស្តសាកល្បង", "place"),
    ("Placeholder Garments Ltd", "employer"),
    ("Acme Testing Seafood", "employer"),
    ("Bogus Brothers Karaoke", "employer"),
    ("โรงงานทดลองสมมุติ", "employer"),
    ("Villainous Testman", "trafficker"),
    ("Crookston Fakerly", "trafficker"),
    ("Baddie McSample", "trafficker"),
    ("เสี่ยสมมุติ ร้ายกาจ", "trafficker"),
    ("081 234 5678", "phone"),
    ("+66 89 765 4321", "phone"),
    ("+855 12 345 678", "phone"),
    ("02 555 0199", "phone"),
    ("99/12 Moo 4 Testa Road", "address"),
    ("12 Placeholder Lane", "address"),
    ("1101700123456", "other"),
    ("testina.canaryson@example.org", "other"),
    ("Mockara", "name"),
    ("Zorblatski", "nickname"),
    ("Nonesuch Heights", "place"),
    ("Lake Inventova", "place"),
    ("Madeup Karaoke Bar", "employer"),
    ("Fakerly Fishing Fleet", "employer"),
    ("Testerton Cousins", "trafficker"),
    ("Samplewood Agency", "trafficker"),
]

# Ordinary prose about a fictional journey: no names, places, dates or numbers.
OPENINGS = [
    "When she was young",
    "After the long season",
    "For many months",
    "In the first weeks",
    "Later that year",
    "Every morning",
    "Some evenings",
    "At the shelter",
    "With help from the case worker",
    "Little by little",
    "Before the training began",
    "Once the paperwork was done",
]
SUBJECTS = [
    "she",
    "her mother",
    "the family",
    "her younger brother",
    "the other workers",
    "the social worker",
    "the lawyer",
    "the teacher",
    "her friends at the centre",
    "the volunteers",
]
VERBS = [
    "hoped to find",
    "worked hard for",
    "saved money for",
    "talked quietly about",
    "learned a great deal about",
    "dreamed of",
    "waited patiently for",
    "asked for help with",
    "felt proud of",
    "started to plan",
    "looked forward to",
    "wrote letters about",
]
OBJECTS = [
    "a sewing machine of her own",
    "a small shop near the market",
    "safe work with fair pay",
    "the cooking course",
    "a ticket home",
    "school fees for her daughter",
    "a quiet room to rent",
    "a bicycle for the journey to work",
    "lessons in reading and writing",
    "the hairdressing certificate",
    "medicine and regular check-ups",
    "a future without fear",
    "tools for the vegetable garden",
    "a warm meal with the family",
]
CLOSINGS = [
    "and nobody could take that away from her.",
    "even when the days were hard.",
    "because she believed things could change.",
    "while the rain drummed on the roof.",
    "although the debt still worried her.",
    "and she smiled for the first time in weeks.",
    "as the counsellor had suggested.",
    "with patience and courage.",
    "so that her children would be safe.",
    "and the team promised to stand beside her.",
]


def _words(text: str) -> list[str]:
    return text.split()


# A wider vocabulary, so the story has as many different words as real prose does.
ADJECTIVES = _words(
    "small quiet bright heavy gentle tired patient careful busy narrow crowded empty warm "
    "cold early late long short simple honest kind proud anxious hopeful steady brave shy "
    "cheerful noisy muddy dusty wooden plastic green yellow blue red white dark clean broken "
    "new old strange familiar distant nearby friendly strict generous fragile sturdy modest "
    "humble grateful thoughtful curious nervous calm restless sleepy hungry thirsty lonely "
    "ordinary"
)
NOUNS = _words(
    "kitchen garden market river bridge factory boat dormitory office clinic classroom "
    "notebook pencil blanket kettle rice noodles vegetables chicken bus truck ferry harbour "
    "village city border document passport contract salary debt promise letter photograph "
    "radio telephone uniform shoes jacket umbrella bicycle motorbike road path field forest "
    "mountain beach storm season harvest festival temple school shelter counsellor nurse "
    "doctor teacher neighbour cousin aunt uncle grandmother daughter son baby friend "
    "colleague supervisor manager driver cook cleaner tailor fabric thread needle scissors "
    "button pattern dress shirt skirt curtain pillow mattress window door roof wall floor "
    "table chair cupboard mirror lamp candle window-box flowerpot courtyard staircase "
    "corridor canteen laundry warehouse dock net hook rope engine cabin deck wave tide shore "
    "sunrise sunset evening morning afternoon weekend holiday birthday ceremony meal "
    "breakfast lunch dinner soup bread fruit mango banana coconut papaya tea coffee water "
    "bottle bag basket box suitcase ticket coin savings account lesson exam certificate "
    "diploma skill course workshop meeting interview"
)
PREPOSITIONS = _words("near behind beside above below beyond inside outside across around past")
REFLECTIONS = [
    "She remembers the {a} {n} {p} the {a2} {n2}.",
    "There was a {a} {n} and a {a2} {n2} that she still thinks about.",
    "The {n} was {a}, but the {n2} was {a2}.",
    "Nobody asked about the {a} {n} {p} the {n2}.",
    "Now she keeps a {a} {n} {p} her {n2}.",
    "Her {n} became {a} and {a2} again.",
]
THAI_SENTENCES = [
    "เธออยากมีจักรเย็บผ้าเป็นของตัวเอง",
    "ทุกเช้าเธอตื่นมาทำงานด้วยความหวัง",
    "ครอบครัวของเธอรอคอยวันที่จะได้พบกันอีกครั้ง",
    "ครูที่ศูนย์ช่วยสอนให้เธออ่านและเขียนหนังสือ",
    "เธอเก็บเงินทีละเล็กทีละน้อยเพื่อเปิดร้านเล็กๆ",
    "ตอนนี้เธอรู้สึกปลอดภัยและมีความสุขมากขึ้น",
    "นักสังคมสงเคราะห์ช่วยเธอเรื่องเอกสาร",
    "เธอฝันอยากให้ลูกได้เรียนหนังสือ",
]
KHMER_SENTENCES = [
    "នាងចង់មានម៉ាស៊ីនដេរមួយជារបស់ខ្លួន",
    "រៀងរាល់ព្រឹកនាងធ្វើការដោយក្តីសង្ឃឹម",
    "គ្រួសាររបស់នាងរង់ចាំថ្ងៃដែលនឹងជួបគ្នាម្តងទៀត",
    "គ្រូនៅមជ្ឈមណ្ឌលបានជួយបង្រៀននាងឱ្យអាននិងសរសេរ",
    "ឥឡូវនេះនាងមានអារម្មណ៍សុវត្ថិភាព",
]


def fictional_terms() -> list[tuple[str, str]]:
    """50 fictional identifying terms as (value, kind): names, places, phones… in three scripts."""
    return list(TERMS)


def _sentence(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(REFLECTIONS).format(
            a=rng.choice(ADJECTIVES),
            a2=rng.choice(ADJECTIVES),
            n=rng.choice(NOUNS),
            n2=rng.choice(NOUNS),
            p=rng.choice(PREPOSITIONS),
        )
    return " ".join(
        (rng.choice(OPENINGS), rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS))
    ).capitalize() + (" " + rng.choice(CLOSINGS)).replace(" and", ", and", 1)


def fictional_story(words: int = STORY_WORDS, *, seed: int = 7) -> list[tuple[str, str]]:
    """A clean fictional story page as (field, text) pairs: ~30 texts, about ``words`` words.

    Mostly English, with a Thai and a Khmer quote, so both kinds of matching do their work.
    """
    rng = random.Random(seed)  # noqa: S311 -- a repeatable fixture, not a secret
    texts = [
        ("title", "A sewing machine and a new start"),
        ("slug", "a-sewing-machine-and-a-new-start"),
        ("seo_title", "Help a survivor start her own tailoring business"),
        ("search_description", "A survivor of forced labour hopes to open a small tailoring shop."),
        ("summary", _sentence(rng)),
        ("image 1 alt text", "Hands guiding blue cloth under the needle of a sewing machine"),
        ("image 1 caption", "Practising at the training centre"),
        ("image 2 alt text", "A pair of scissors and a tape measure on a wooden table"),
        ("body[0].quote", " ".join(rng.sample(THAI_SENTENCES, 4))),
        ("body[1].quote", " ".join(rng.sample(KHMER_SENTENCES, 3))),
    ]
    paragraphs = 20
    counted = sum(len(text.split()) for _, text in texts)
    per_paragraph = (words - counted) // paragraphs
    for index in range(paragraphs):
        sentences: list[str] = []
        while sum(len(s.split()) for s in sentences) < per_paragraph:
            sentences.append(_sentence(rng))
        texts.append((f"body[{index + 2}].paragraph", " ".join(sentences)))
    return texts


def fictional_thai_page(*, seed: int = 7) -> list[tuple[str, str]]:
    """A Thai translation-sized page: 30 texts of unspaced Thai, about 24,000 characters."""
    rng = random.Random(seed)  # noqa: S311 -- a repeatable fixture, not a secret
    return [
        (f"body[{index}].paragraph", " ".join(rng.choice(THAI_SENTENCES) for _ in range(20)))
        for index in range(30)
    ]


def _median_ms(run: Callable[[], object]) -> tuple[float, list[float]]:
    run()  # warm-up: compiles the regular expressions
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), timings


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from stories.anonymisation import DEFAULT_PHONE_REGIONS, PublicText, Term, scan

    texts: list[PublicText] = [PublicText(f, t) for f, t in fictional_story()]
    terms: list[Term] = [Term(value, kind) for value, kind in fictional_terms()]
    words = sum(len(item.text.split()) for item in texts)

    regions = DEFAULT_PHONE_REGIONS
    findings = scan(texts, terms, phone_regions=regions)
    median, timings = _median_ms(lambda: scan(texts, terms, phone_regions=regions))
    print(f"scan: {len(texts)} texts, {words} words, {len(terms)} terms, {len(findings)} findings")
    print(
        f"median of {RUNS} runs: {median:.1f} ms (min {min(timings):.1f}, max {max(timings):.1f})"
    )
    print(f"{median / GOAL_MS:.2f} × the {GOAL_MS:.0f} ms goal")

    # The unspaced-script path does more work per character; shown for information.
    thai = [PublicText(f, t) for f, t in fictional_thai_page()]
    characters = sum(len(item.text) for item in thai)
    median, _ = _median_ms(lambda: scan(thai, terms, phone_regions=regions))
    print(f"Thai page ({characters} characters): median {median:.1f} ms")


if __name__ == "__main__":
    main()
