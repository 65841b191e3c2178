"""Generate resources/classifier/training.jsonl from hand-written templates and vocabulary (deterministic).

Complexity, as labelled here (what a router needs: how capable a model the request calls for):
  simple  - one straightforward deliverable or question; tone/length constraints or pasted input don't raise it.
  medium  - a few deliverables, or one that needs some reasoning, analysis or technical care.
  complex - many interdependent parts, deep multi-step analysis, systems, models, strategies, flagship work.
Image-input tasks: image_analysis judges how a picture looks (creative, brand, mood, alt text);
vision_analysis reads what is in it (text, numbers, tables, charts, counts, defects, differences).
A template line may start with "[attached]" (the prompt comes with a picture, e.g. a caption for a photo) or
"[no attachment]" (an image task whose picture is a URL or a file name).
Run: python benchmarks/make_classifier_training.py [--per-cell 60] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "classifier" / "training.jsonl"

SLOTS: dict[str, list[str]] = {
    "product": [
        "wireless earbuds",
        "organic face serum",
        "standing desk",
        "vegan protein bar",
        "trail running shoes",
        "smart water bottle",
        "meal-kit subscription",
        "project management app",
        "yoga mat",
        "cold brew coffee",
        "CRM software",
        "kids' science kit",
        "e-bike",
        "skincare set",
        "budgeting app",
        "scented candles",
        "dog food subscription",
        "language learning app",
        "leather wallet",
        "noise-cancelling headphones",
        "matcha powder",
        "linen bedding",
        "online course",
        "sneakers",
    ],
    "brand": [
        "Lumora",
        "PeakFit",
        "Brewly",
        "NovaDesk",
        "GreenLeaf",
        "Aurelia",
        "Zestia",
        "Orbit Labs",
        "Maple & Moss",
        "Kairo",
        "Solstice",
        "Fernhill",
        "Bloomfield",
        "Northwind",
        "Velora",
    ],
    "audience": [
        "Gen Z students",
        "busy parents",
        "small business owners",
        "B2B SaaS buyers",
        "fitness enthusiasts",
        "first-time homebuyers",
        "remote workers",
        "retirees",
        "luxury shoppers",
        "gamers",
        "new moms",
        "college athletes",
        "HR managers",
        "eco-conscious millennials",
    ],
    "channel": [
        "Instagram",
        "TikTok",
        "LinkedIn",
        "Facebook",
        "YouTube",
        "Pinterest",
        "X",
        "Google Ads",
        "Meta ads",
        "Reddit",
        "Threads",
        "Snapchat",
    ],
    "lang": [
        "Spanish",
        "French",
        "German",
        "Japanese",
        "Korean",
        "Portuguese",
        "Italian",
        "Simplified Chinese",
        "Arabic",
        "Dutch",
        "Hindi",
        "Polish",
        "Turkish",
        "Swedish",
        "Vietnamese",
    ],
    "metric": [
        "CTR",
        "conversion rate",
        "CAC",
        "ROAS",
        "churn rate",
        "open rate",
        "engagement rate",
        "AOV",
        "LTV",
        "bounce rate",
        "MRR",
        "CPC",
        "CPM",
        "retention",
    ],
    "period": [
        "last quarter",
        "last 30 days",
        "Q3",
        "this year",
        "past 6 months",
        "last week",
        "2025",
        "the holiday season",
        "the last 90 days",
    ],
    "industry": [
        "fintech",
        "skincare",
        "fitness",
        "fashion e-commerce",
        "SaaS",
        "coffee shop",
        "real estate",
        "edtech",
        "travel",
        "gaming",
        "pet care",
        "home decor",
        "beauty",
        "food delivery",
        "wellness",
    ],
    "table": [
        "orders",
        "customers",
        "campaigns",
        "events",
        "subscriptions",
        "sessions",
        "products",
        "invoices",
        "leads",
        "ad_spend",
        "signups",
        "payments",
    ],
    "style": [
        "watercolor",
        "photorealistic",
        "flat vector",
        "3D render",
        "minimalist",
        "cinematic",
        "isometric",
        "retro 80s",
        "studio product photo",
        "anime",
        "pastel",
        "line art",
        "oil painting",
        "claymation",
        "neon cyberpunk",
    ],
    "subject": [
        "a cozy coffee shop at dawn",
        "a mountain cabin in winter",
        "a robot watering plants",
        "a golden retriever wearing sunglasses",
        "a woman jogging through a city park",
        "a futuristic skyline at sunset",
        "a flat lay of skincare products",
        "a kitchen full of plants",
        "an astronaut riding a bike",
        "a beach picnic",
        "a team brainstorming in a bright office",
        "a fox reading a book in a forest",
        "a bowl of ramen with steam",
        "a vintage car on a coast road",
    ],
    "n": [
        "10",
        "12",
        "15",
        "20",
        "24",
        "25",
        "30",
        "40",
        "50",
        "100",
        "8",
        "60",
        "ten",
        "twenty",
        "fifty",
        "a dozen",
        "200",
    ],
    "code_lang": ["Python", "JavaScript", "TypeScript", "Go", "Bash", "Node.js", "PHP", "Rust", "Java"],
    "code_task": [
        "parse a CSV and sum a column",
        "debounce a function",
        "validate email addresses",
        "call a REST API with retries",
        "resize all images in a folder",
        "send a Slack message",
        "convert a timestamp to ISO format",
        "read a JSON file and filter records",
        "generate a random discount code",
        "scrape product prices from a page",
        "upload a file to S3",
        "paginate through an API",
        "hash user passwords",
    ],
    "topic": [
        "sustainability",
        "remote work",
        "personal finance",
        "sleep",
        "meal prep",
        "productivity",
        "AI in marketing",
        "skincare routines",
        "home workouts",
        "small business taxes",
        "travel hacks",
        "email deliverability",
        "influencer marketing",
    ],
    "event": [
        "Black Friday sale",
        "summer sale",
        "10th anniversary",
        "spring collection launch",
        "webinar",
        "holiday promo",
        "back-to-school sale",
        "Cyber Monday",
        "product launch",
        "pop-up store opening",
        "Mother's Day campaign",
        "new store opening",
    ],
    "competitor": [
        "Glossier",
        "Peloton",
        "Notion",
        "Allbirds",
        "HubSpot",
        "Starbucks",
        "Canva",
        "Duolingo",
        "Mailchimp",
        "Gymshark",
    ],
    "tone": ["playful", "professional", "witty", "warm", "bold", "friendly", "casual", "confident", "empathetic"],
    "words": ["50", "80", "100", "120", "150", "200", "300"],
    "platform": [
        "Shopify",
        "HubSpot",
        "Notion",
        "Airtable",
        "Google Sheets",
        "Salesforce",
        "Zapier",
        "Klaviyo",
        "Mailchimp",
        "Slack",
        "Make",
    ],
    "file": ["CSV export", "spreadsheet", "JSON dump", "Excel file", "Google Sheet", "CRM export"],
    "kw": [
        "best running shoes",
        "organic skincare",
        "project management tool",
        "cold brew at home",
        "budget travel",
        "standing desk benefits",
        "vegan snacks",
        "CRM for startups",
        "home gym ideas",
    ],
    "budget": ["5,000", "10,000", "25,000", "50,000", "2,000", "100,000"],
    "city": ["Berlin", "Austin", "Seoul", "Lisbon", "Toronto", "Sydney", "Mexico City", "London", "Tokyo"],
    "year": ["2026", "2027", "next year"],
    "doc": [
        "receipt",
        "invoice",
        "business card",
        "restaurant menu",
        "flyer",
        "shipping label",
        "product label",
        "event ticket",
        "bank statement",
        "whiteboard",
    ],
    "headline": [
        "Sleep better tonight",
        "Your desk, upgraded",
        "Run further, feel lighter",
        "Skin that glows",
        "Work smarter, not harder",
        "Taste the morning",
        "Made to move",
    ],
}

_R = random.Random(99)
_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _series() -> str:
    """A pasted run of monthly numbers."""
    start, value = _R.randrange(12), _R.randrange(200, 9000)
    parts = []
    for i in range(_R.randrange(4, 9)):
        value = max(10, int(value * _R.uniform(0.85, 1.25)))
        parts.append(f"{_MONTH_NAMES[(start + i) % 12]} {value:,}")
    return ", ".join(parts)


def _csv() -> str:
    """A few pasted spreadsheet rows."""
    head = _R.choice(
        [
            "name,email,signup_date",
            "channel,spend,clicks,conversions",
            "sku,title,price,stock",
            "date,visits,orders,revenue",
        ]
    )
    rows = []
    for _ in range(_R.randrange(3, 6)):
        rows.append(
            ",".join(
                str(_R.randrange(1, 999))
                if j
                else _R.choice(["anna", "Bob ", "email", "tiktok", "SKU-12", "2026-03-0" + str(_R.randrange(1, 9))])
                for j in range(head.count(",") + 1)
            )
        )
    return "\n" + head + "\n" + "\n".join(rows)


SLOTS["series"] = [_series() for _ in range(20)]
SLOTS["csv"] = [_csv() for _ in range(20)]
SLOTS["paste"] = [
    '"Your order has been delayed due to high demand. We apologize for any inconvenience this may cause."',
    '"Our new serum is made with organic ingredients, absorbs in seconds and ships free worldwide."',
    '"Hi team, just a reminder that the webinar starts at 3pm tomorrow, please bring your questions!"',
    '"This standing desk changed how I work. Sturdy, quiet motor, and it was easy to assemble."',
    '"Join us this Saturday for our pop-up sale: 30% off everything, a free tote with every order over $40."',
    '"We are excited to announce that we have partnered with a local charity to plant a tree for every order."',
    '"The product arrived late and the box was damaged, but customer service fixed it quickly."',
    '"Introducing our summer collection: light fabrics, bright colors and sizes for everyone."',
]
SLOTS["notes"] = [
    "launched the new site, traffic up 12%, two bugs in checkout fixed, hiring a designer next month",
    "campaign went live Monday; CTR 1.8%, 42 signups, budget 60% spent, creative fatigue on ad B",
    "webinar had 310 attendees, NPS 52, three enterprise leads, recording goes out Friday",
]
SLOTS["items"] = [
    "'running shoes', 'jogging sneakers', 'trail boots', 'yoga mat'",
    "'refund request', 'where is my order', 'cancel subscription', 'change address'",
    "'organic face serum', 'vitamin C cream', 'hydrating toner'",
]
SLOTS["query"] = [
    "'cheap flights nyc next wknd'",
    "'vegan leather tote under 100'",
    "'gift for dad who likes golf'",
    "'waterproof jacket womens sale'",
    "'best crm for startups free'",
]

PREFIXES = [
    "",
    "",
    "",
    "",
    "",
    "hey, ",
    "Hi! ",
    "please ",
    "can you ",
    "Quick one: ",
    "I need help. ",
    "ok so ",
    "Hello, ",
    "For our team: ",
]
SUFFIXES = ["", "", "", "", "", " Thanks!", " thx", " Please.", " asap", " :)", " Keep it simple.", " Thank you."]
# Real prompts carry background the templates leave out: how often a context / detail sentence is added.
P_CONTEXT = 0.3
P_DETAIL = 0.3
CONTEXTS = [
    "I run a small {industry} business.",
    "Context: we sell {product} to {audience}.",
    "We're {brand}, a {industry} brand.",
    "I'm the marketing lead at {brand}.",
    "I work at an agency and this is for a client.",
    "Background: our main channel is {channel}.",
    "We're a team of five.",
    "This is for my side project.",
    "My manager asked me for this.",
    "We're based in {city} and our customers are mostly {audience}.",
    "I'm new to this, so bear with me.",
    "We're a {industry} startup that just raised a seed round and we're moving fast.",
    "For context, {brand} sells {product} online and through a few shops in {city}.",
    "I'm a freelancer helping a {industry} client with their marketing.",
    "Our small team handles everything from social media to customer support.",
    "We've been growing steadily on {channel} over the past year.",
]
DETAILS = [
    "It's for a meeting on Monday.",
    "Our audience is mostly {audience}.",
    "We use {platform} for most things.",
    "I'm not very technical.",
    "Please be accurate.",
    "We're based in {city}.",
    "Nothing fancy needed.",
    "This is for the {brand} team.",
    "I'd like it today if possible.",
    "Thanks in advance for your help.",
    "My boss will review it before anything goes out, so a solid first pass is fine.",
    "We've tried a few things before and nothing really stuck.",
    "Happy to share more details if you need them.",
    "We're on a tight deadline this week.",
    "Keep in mind most of our customers are {audience}.",
]
SLOT_RE = re.compile(r"\{(\w+?)(\d?)\}")
IMAGE_TASKS = ("image_analysis", "vision_analysis")


def fill(template: str, rng: random.Random) -> str:
    """Replace {slot} / {slot2} markers with random vocabulary (same slot+digit = same value)."""
    chosen: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        name, idx = m.group(1), m.group(2)
        if name not in SLOTS:
            return m.group(0)
        key = name + idx
        if key not in chosen:
            used = {v for k, v in chosen.items() if k.rstrip("0123456789") == name}
            options = [v for v in SLOTS[name] if v not in used] or SLOTS[name]
            chosen[key] = rng.choice(options)
        return chosen[key]

    return SLOT_RE.sub(repl, template)


def decorate(text: str, rng: random.Random, complexity: str) -> str:
    """Add the noise real users add: context, greetings, lowercase, missing punctuation."""
    if rng.random() < P_CONTEXT:
        text = fill(rng.choice(CONTEXTS), rng) + " " + text
    if rng.random() < P_DETAIL:
        text = text.rstrip() + " " + fill(rng.choice(DETAILS), rng)
    if complexity != "complex" and rng.random() < 0.35:
        pre = rng.choice(PREFIXES)
        if pre and pre[-2].isalpha() and text[:2].istitle():
            text = text[0].lower() + text[1:]
        text = pre + text
        text = text + rng.choice(SUFFIXES)
    if rng.random() < 0.2:
        text = text.lower()
    if rng.random() < 0.15:
        text = text.rstrip(".!?")
    return text.strip()


def has_image_for(task: str, template: str, rng: random.Random) -> bool:
    """Image tasks usually carry an attachment (URL/file prompts do not); other tasks only when marked [attached]."""
    if "[attached]" in template:
        return True
    if task not in IMAGE_TASKS:
        return False
    if "http" in template or "[no attachment]" in template:
        return False
    return rng.random() < 0.9


def parse_templates(text: str) -> dict[tuple[str, str], list[str]]:
    """Parse the '## task complexity' sections below into {(task, complexity): [template, ...]}."""
    out: dict[tuple[str, str], list[str]] = {}
    key: tuple[str, str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("## "):
            task, complexity = line[3:].split()
            key = (task, complexity)
            out.setdefault(key, [])
        elif line and key is not None:
            out[key].append(line)
    return out


def generate(per_cell: int, seed: int) -> list[dict]:
    """Build the rows: up to `per_cell` unique prompts per (task, complexity) cell."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for (task, complexity), templates in parse_templates(TEMPLATES).items():
        seen: set[str] = set()
        tries = 0
        # every template at least once, then random picks
        order = list(templates) + [rng.choice(templates) for _ in range(per_cell * 4)]
        for tpl in order:
            if len(seen) >= per_cell or tries > per_cell * 20:
                break
            tries += 1
            text = decorate(fill(tpl, rng), rng, complexity)
            text = text.replace("[no attachment] ", "").replace("[attached] ", "")
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            rows.append(
                {"prompt": text, "task": task, "complexity": complexity, "has_image": has_image_for(task, tpl, rng)}
            )
    return rows


def generate_intl(seed: int) -> list[dict]:
    """One row per multilingual / casual template (templates_intl.txt): other languages, the same 22 tasks."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for (task, complexity), templates in parse_templates(INTL_TEMPLATES).items():
        for tpl in templates:
            text = fill(tpl, rng).replace("[no attachment] ", "").replace("[attached] ", "")
            rows.append(
                {"prompt": text, "task": task, "complexity": complexity, "has_image": has_image_for(task, tpl, rng)}
            )
    return rows


def main() -> None:
    """CLI: write the training jsonl."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-cell", type=int, default=60, help="prompts per (task, complexity) cell")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    rows = generate(args.per_cell, args.seed) + generate_intl(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {args.out}")


# One template per line under "## <task> <complexity>"; {slot} markers draw from SLOTS.
TEMPLATES = (ROOT / "resources" / "classifier" / "templates.txt").read_text(encoding="utf-8")
# The same layout in other languages and a casual register, written from the task definitions (one row each).
INTL_TEMPLATES = (ROOT / "resources" / "classifier" / "templates_intl.txt").read_text(encoding="utf-8")


if __name__ == "__main__":
    main()
