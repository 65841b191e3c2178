"""Generate resources/classifier/training.jsonl from hand-written templates and vocabulary (deterministic).

Complexity, as labelled here (what a router needs: how capable a model the request calls for):
  simple  - one straightforward deliverable or question; tone/length constraints or pasted input don't raise it.
  medium  - a few deliverables, or one that needs some reasoning, analysis or technical care.
  complex - many interdependent parts, deep multi-step analysis, systems, models, strategies, flagship work.
Image-input tasks: image_analysis judges how a picture looks (creative, brand, mood, alt text);
vision_analysis reads what is in it (text, numbers, tables, charts, counts, defects, differences).
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
    "product": ["wireless earbuds", "organic face serum", "standing desk", "vegan protein bar", "trail running shoes",
                "smart water bottle", "meal-kit subscription", "project management app", "yoga mat",
                "cold brew coffee", "CRM software", "kids' science kit", "e-bike", "skincare set", "budgeting app",
                "scented candles", "dog food subscription", "language learning app", "leather wallet",
                "noise-cancelling headphones", "matcha powder", "linen bedding", "online course", "sneakers"],
    "brand": ["Lumora", "PeakFit", "Brewly", "NovaDesk", "GreenLeaf", "Aurelia", "Zestia", "Orbit Labs",
              "Maple & Moss", "Kairo", "Solstice", "Fernhill", "Bloomfield", "Northwind", "Velora"],
    "audience": ["Gen Z students", "busy parents", "small business owners", "B2B SaaS buyers",
                 "fitness enthusiasts", "first-time homebuyers", "remote workers", "retirees", "luxury shoppers",
                 "gamers", "new moms", "college athletes", "HR managers", "eco-conscious millennials"],
    "channel": ["Instagram", "TikTok", "LinkedIn", "Facebook", "YouTube", "Pinterest", "X", "Google Ads",
                "Meta ads", "Reddit", "Threads", "Snapchat"],
    "lang": ["Spanish", "French", "German", "Japanese", "Korean", "Portuguese", "Italian", "Simplified Chinese",
             "Arabic", "Dutch", "Hindi", "Polish", "Turkish", "Swedish", "Vietnamese"],
    "metric": ["CTR", "conversion rate", "CAC", "ROAS", "churn rate", "open rate", "engagement rate", "AOV",
               "LTV", "bounce rate", "MRR", "CPC", "CPM", "retention"],
    "period": ["last quarter", "last 30 days", "Q3", "this year", "past 6 months", "last week", "2025",
               "the holiday season", "the last 90 days"],
    "industry": ["fintech", "skincare", "fitness", "fashion e-commerce", "SaaS", "coffee shop", "real estate",
                 "edtech", "travel", "gaming", "pet care", "home decor", "beauty", "food delivery", "wellness"],
    "table": ["orders", "customers", "campaigns", "events", "subscriptions", "sessions", "products",
              "invoices", "leads", "ad_spend", "signups", "payments"],
    "style": ["watercolor", "photorealistic", "flat vector", "3D render", "minimalist", "cinematic",
              "isometric", "retro 80s", "studio product photo", "anime", "pastel", "line art", "oil painting",
              "claymation", "neon cyberpunk"],
    "subject": ["a cozy coffee shop at dawn", "a mountain cabin in winter", "a robot watering plants",
                "a golden retriever wearing sunglasses", "a woman jogging through a city park",
                "a futuristic skyline at sunset", "a flat lay of skincare products", "a kitchen full of plants",
                "an astronaut riding a bike", "a beach picnic", "a team brainstorming in a bright office",
                "a fox reading a book in a forest", "a bowl of ramen with steam", "a vintage car on a coast road"],
    "n": ["10", "12", "15", "20", "24", "25", "30", "40", "50", "100", "8", "60", "ten", "twenty", "fifty",
          "a dozen", "200"],
    "code_lang": ["Python", "JavaScript", "TypeScript", "Go", "Bash", "Node.js", "PHP", "Rust", "Java"],
    "code_task": ["parse a CSV and sum a column", "debounce a function", "validate email addresses",
                  "call a REST API with retries", "resize all images in a folder", "send a Slack message",
                  "convert a timestamp to ISO format", "read a JSON file and filter records",
                  "generate a random discount code", "scrape product prices from a page",
                  "upload a file to S3", "paginate through an API", "hash user passwords"],
    "topic": ["sustainability", "remote work", "personal finance", "sleep", "meal prep", "productivity",
              "AI in marketing", "skincare routines", "home workouts", "small business taxes", "travel hacks",
              "email deliverability", "influencer marketing"],
    "event": ["Black Friday sale", "summer sale", "10th anniversary", "spring collection launch", "webinar",
              "holiday promo", "back-to-school sale", "Cyber Monday", "product launch", "pop-up store opening",
              "Mother's Day campaign", "new store opening"],
    "competitor": ["Glossier", "Peloton", "Notion", "Allbirds", "HubSpot", "Starbucks", "Canva", "Duolingo",
                   "Mailchimp", "Gymshark"],
    "tone": ["playful", "professional", "witty", "warm", "bold", "friendly", "casual", "confident",
             "empathetic"],
    "words": ["50", "80", "100", "120", "150", "200", "300"],
    "platform": ["Shopify", "HubSpot", "Notion", "Airtable", "Google Sheets", "Salesforce", "Zapier",
                 "Klaviyo", "Mailchimp", "Slack", "Make"],
    "file": ["CSV export", "spreadsheet", "JSON dump", "Excel file", "Google Sheet", "CRM export"],
    "kw": ["best running shoes", "organic skincare", "project management tool", "cold brew at home",
           "budget travel", "standing desk benefits", "vegan snacks", "CRM for startups", "home gym ideas"],
    "budget": ["5,000", "10,000", "25,000", "50,000", "2,000", "100,000"],
    "city": ["Berlin", "Austin", "Seoul", "Lisbon", "Toronto", "Sydney", "Mexico City", "London", "Tokyo"],
    "year": ["2026", "2027", "next year"],
    "doc": ["receipt", "invoice", "business card", "restaurant menu", "flyer", "shipping label",
            "product label", "event ticket", "bank statement", "whiteboard"],
    "headline": ["Sleep better tonight", "Your desk, upgraded", "Run further, feel lighter",
                 "Skin that glows", "Work smarter, not harder", "Taste the morning", "Made to move"],
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
    head = _R.choice(["name,email,signup_date", "channel,spend,clicks,conversions", "sku,title,price,stock",
                      "date,visits,orders,revenue"])
    rows = []
    for _ in range(_R.randrange(3, 6)):
        rows.append(",".join(str(_R.randrange(1, 999)) if j else _R.choice(["anna", "Bob ", "email", "tiktok",
                             "SKU-12", "2026-03-0" + str(_R.randrange(1, 9))]) for j in range(head.count(",") + 1)))
    return "\n" + head + "\n" + "\n".join(rows)


SLOTS["series"] = [_series() for _ in range(20)]
SLOTS["csv"] = [_csv() for _ in range(20)]
SLOTS["paste"] = [
    '"Your order has been delayed due to high demand. We apologize for any inconvenience this may cause."',
    '"Our new serum is made with organic ingredients, absorbs in seconds and ships free worldwide."',
    '"Hi team, just a reminder that the webinar starts at 3pm tomorrow, please bring your questions!"',
    '"This standing desk changed how I work. Sturdy, quiet motor, and it was easy to assemble."',
    '"Join us this Saturday for our pop-up sale: 30% off everything, free coffee for the first 50 guests."',
    '"We are excited to announce that we have partnered with a local charity to plant a tree for every order."',
    '"The product arrived late and the box was damaged, but customer service fixed it quickly."',
    '"Introducing our summer collection: light fabrics, bright colors and sizes for everyone."',
]
SLOTS["notes"] = ["launched the new site, traffic up 12%, two bugs in checkout fixed, hiring a designer next month",
                  "campaign went live Monday; CTR 1.8%, 42 signups, budget 60% spent, creative fatigue on ad B",
                  "webinar had 310 attendees, NPS 52, three enterprise leads, recording goes out Friday"]
SLOTS["items"] = ["'running shoes', 'jogging sneakers', 'trail boots', 'yoga mat'",
                  "'refund request', 'where is my order', 'cancel subscription', 'change address'",
                  "'organic face serum', 'vitamin C cream', 'hydrating toner'"]
SLOTS["query"] = ["'cheap flights nyc next wknd'", "'vegan leather tote under 100'", "'gift for dad who likes golf'",
                  "'waterproof jacket womens sale'", "'best crm for startups free'"]

PREFIXES = ["", "", "", "", "", "hey, ", "Hi! ", "please ", "can you ", "Quick one: ", "I need help. ",
            "ok so ", "Hello, ", "For our team: "]
SUFFIXES = ["", "", "", "", "", " Thanks!", " thx", " Please.", " asap", " :)", " Keep it simple.",
            " Thank you."]
# Real prompts carry background the templates leave out: how often a context / detail sentence is added.
P_CONTEXT = 0.3
P_DETAIL = 0.3
CONTEXTS = ["I run a small {industry} business.", "Context: we sell {product} to {audience}.",
            "We're {brand}, a {industry} brand.", "I'm the marketing lead at {brand}.",
            "I work at an agency and this is for a client.", "Background: our main channel is {channel}.",
            "We're a team of five.", "This is for my side project.", "My manager asked me for this.",
            "We're based in {city} and our customers are mostly {audience}.", "I'm new to this, so bear with me.",
            "We're a {industry} startup that just raised a seed round and we're moving fast.",
            "For context, {brand} sells {product} online and through a few shops in {city}.",
            "I'm a freelancer helping a {industry} client with their marketing.",
            "Our small team handles everything from social media to customer support.",
            "We've been growing steadily on {channel} over the past year."]
DETAILS = ["It's for a meeting on Monday.", "Our audience is mostly {audience}.", "We use {platform} for most things.",
           "I'm not very technical.", "Please be accurate.", "We're based in {city}.", "Nothing fancy needed.",
           "This is for the {brand} team.", "I'd like it today if possible.", "Thanks in advance for your help.",
           "My boss will review it before anything goes out, so a solid first pass is fine.",
           "We've tried a few things before and nothing really stuck.",
           "Happy to share more details if you need them.", "We're on a tight deadline this week.",
           "Keep in mind most of our customers are {audience}."]
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
    """Image tasks usually carry an attachment; prompts that name a URL or file do not."""
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
            text = decorate(fill(tpl, rng), rng, complexity).replace("[no attachment] ", "")
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            rows.append({"prompt": text, "task": task, "complexity": complexity,
                         "has_image": has_image_for(task, tpl, rng)})
    return rows


def main() -> None:
    """CLI: write the training jsonl."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-cell", type=int, default=60, help="prompts per (task, complexity) cell")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    rows = generate(args.per_cell, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {args.out}")



# One template per line under "## <task> <complexity>"; {slot} markers draw from SLOTS.
TEMPLATES = """
## chat_response simple
hi there!
hey, how's it going?
good morning!
thanks, that was really helpful
lol that's great
ok cool, thanks
you're awesome, thank you
tell me a joke about marketing
can you help me with something?
I'm back! did you miss me?
what's up?
thank you so much!
haha nice one
that's not quite what I meant, but no worries
never mind, forget it
how are you doing today?
are you there?
sounds good, let's continue
yo
good night, talk tomorrow
that made me smile
hmm, interesting
I'm bored, entertain me
wow, that was fast
who are you?
what can you do?
good afternoon :)
thanks a lot, you saved my day
cool
see you later!
I appreciate it
nice, love that
how's your day been?
sorry, I was away for a bit
let's chat
you're funny
ugh, mondays
happy friday!
Thanks for the help earlier with the newsletter, it went out this morning and people liked it!
Hey, just wanted to say the caption you wrote yesterday got a lot of likes. You rock.
Morning! Coffee in hand, ready to tackle the day. How are you?
haha my cat just walked across my keyboard and sent a half-written draft to the whole team, what a start to the day
ok that actually makes me feel a lot better about the launch, thanks for listening to me ramble for a bit
just wanted to say hi before I start working, it's raining here and I'm on my third coffee already
you there? quick hello before my meeting
lol I just realized it's already Thursday
I'm so tired today
that's hilarious
can you just talk to me for a minute?
aww thanks, that's sweet of you
I'm back from lunch!
ok I'm done for today, bye!
do you like music?
what's your name?
## chat_response medium
I'm feeling a bit overwhelmed with my {industry} side business, any words of encouragement?
What do you think about working from a café versus working at home?
I just launched my {product} shop and got my first sale! Celebrate with me
Can we just chat for a bit? I've had a long day dealing with clients
Tell me something fun to cheer me up before my {channel} live stream
I'm nervous about presenting to my boss tomorrow, can you keep me company for a minute?
What's your favorite kind of question to answer?
Do you ever get tired of people asking you about {topic}?
I keep procrastinating on everything today, talk me out of it
I finally hit 1,000 followers on {channel}! Honestly didn't think it would happen
Be honest with me, do you think I'm overthinking this whole rebrand thing?
I had a weird dream that my {product} ad went viral. Anyway, how's your day going?
Let's chat about books. What would you recommend for a long flight to {city}?
My coworker keeps taking credit for my campaign ideas. Ugh. Just needed to say that out loud
What would you do on a rainy Sunday if you were a person?
I'm about to quit my job to freelance full time. Excited and terrified. Thoughts?
I just got back from vacation and can't focus at all. How do you get back into work mode?
Can you keep me company while I wait for my flight? Tell me something interesting about {city}.
My dog just knocked over my coffee onto my notes, what a morning. How's yours?
I'm excited, we're launching {product} next week! Any good-luck wishes?
Honestly, do you like being called an assistant or would you prefer something else?
I think I need a pep talk before I post my first {channel} video.
What's something you find fascinating that most people don't know?
Let's play a quick word game to warm up my brain before writing.
I've had a rough week with two product delays and a grumpy client, and I just want to talk for a minute before my next meeting. How do you usually think about bad weeks?
Can we chat about something non-work? I'm trying to pick a hobby for the winter and I can't decide between pottery, climbing and learning piano.
What's the best advice you've ever heard about dealing with creative block? Just chatting.
I've been talking to you all day, honestly you're the best coworker I have. How do you feel about that?
If you could pick any city to spend a weekend in, which would it be and why?
I'm trying to decide what to cook tonight and I have zero energy, talk me through some lazy ideas.
Do you think it's weird that I say please and thank you to an AI?
## chat_response complex
I've been running my {industry} brand for three years and I'm honestly burned out. Part of me wants to sell, part of me wants to hire help, and part of me just wants a long break. Can you talk this through with me like a friend would? No bullet points, just a conversation.
Let's have a real conversation: I disagree with you about posting every day on {channel}. I think quality beats quantity, my engagement went up when I posted less, and my audience of {audience} seems to prefer it. Push back if you think I'm wrong, I want a genuine back-and-forth.
My cofounder and I keep arguing about the direction of {brand}. He wants to chase {audience}, I want to stay focused on our current customers. I don't need a document, I just want to vent, hear your honest thoughts, and maybe a few questions I should ask myself.
I'm having one of those days. A campaign flopped, a client yelled at me, and I'm doubting whether I'm cut out for this work at all. Can you just chat with me for a while and help me get some perspective on it?
I want to talk through something personal but work related: I got offered a job at {competitor} with more money, but I love my small team at {brand}. Help me think out loud about it, ask me questions, and tell me what you'd weigh if you were me.
Tell me about yourself in a long, thoughtful way: how you think about creativity, whether you have preferences, what you find hard, and what you'd like people to understand about working with an AI assistant.
I want to think out loud with you for a bit about my career. I've been a social media manager for six years, I'm good at it but bored, and I'm curious about product marketing or maybe starting something of my own. Just talk with me, ask me questions, and share what you notice.
Be my sounding board tonight. I'm stuck between two life plans: moving to {city} for a bigger role or staying close to family and growing my small {industry} business. I'm not looking for a spreadsheet, just a thoughtful conversation where you challenge my assumptions.
I want a long, honest conversation about whether I should keep my agency small and lifestyle-focused or try to scale it. Money, stress, family time and ego are all tangled up in it, and I want you to ask questions, reflect back what you hear, and disagree with me where it makes sense.
Let's just talk. I'm 35, I've done marketing for a decade, and lately I wonder if any of it matters. I don't want a career plan or a list, I want a real, reflective conversation about meaning, work and ambition, with you asking questions back.
## brief_questions simple
What does {metric} stand for?
What is a good {metric} for {channel}?
How many characters can an Instagram caption have?
What's the best time to post on {channel}?
Is it 'affect' or 'effect' in 'the campaign will ___ sales'?
What's the difference between reach and impressions?
What does CPM mean?
What's the ideal size for a YouTube thumbnail?
How long should a meta description be?
What year did TikTok launch?
What's the capital of Australia?
How many ounces are in a cup?
What time zone is {city} in?
Define churn rate in one sentence.
What's a UTM parameter?
When is Cyber Monday this year?
What does B2B mean?
How many hashtags should I use on Instagram?
What is SEO?
Is {competitor} a public company?
What's the max length of a tweet?
Who owns Instagram?
What's a KPI?
How many days until Christmas?
Is Friday a good day to send newsletters?
What does 'above the fold' mean?
What's the aspect ratio for Instagram stories?
What is a lead magnet?
What's the difference between a hashtag and a keyword?
How big should a Facebook cover photo be?
Does Instagram allow links in captions?
What is A/B testing?
What does ROI mean?
Is 'e-mail' or 'email' correct?
What's the character limit for a LinkedIn headline?
Who is the CEO of {competitor}?
What's a good email open rate?
How do I pronounce 'Qdoba'?
When was Google Analytics 4 released?
What is a landing page?
What does 'evergreen content' mean?
Quick question about Instagram: what's the ideal image size for a regular feed post these days, square or portrait?
Just curious, what does CAC stand for and how is it different from CPA?
Remind me, is the Google Ads headline limit 30 characters or 35?
Before I send this out, is it 'complimentary' or 'complementary' when I mean free?
What's the recommended image size for a LinkedIn company page banner, and is it the same on mobile?
I always forget: does the Instagram algorithm favour Reels over regular posts right now?
How many people use Instagram?
What's the difference between a follower and a subscriber?
When is the best time to send a newsletter?
Is TikTok owned by a Chinese company?
What does CTA stand for?
How long does SEO take to work?
What's a good conversion rate for an online store?
Is Canva free?
What's the maximum video length on Instagram Reels?
Which is bigger, a KB or a MB?
What is the Pareto principle?
## brief_questions medium
Quick question: what's the difference between {metric} and {metric2}, and which one matters more for {industry}?
In a couple of sentences, what's the difference between first-party and third-party cookies?
Briefly, why do marketing emails end up in the Gmail promotions tab?
In short, how does the {channel} algorithm decide who sees my posts?
What's the rule of thirds in photography, and does it apply to ad creatives?
Short answer please: should I use a daily or lifetime budget for {channel} ads?
Can you explain what a lookalike audience is in simple terms?
What's GDPR, and does it apply to a small US {industry} shop that sells to EU customers?
How is {metric} calculated, and what's considered a normal range?
What's the difference between a brand guideline and a style guide, in a sentence or two?
Why do people say 'content is king'? Short explanation please.
Is it worth having a TikTok account for a B2B company? Just a quick yes or no with one reason.
What's the difference between SEO and SEM, briefly?
What does a CDP do that a CRM doesn't? Keep it short.
What's the difference between a brand and a logo? Explain in two sentences.
Why do prices end in .99? Give me the short version.
Is it better to post Reels or carousels for reach these days? Just the gist.
What does 'omnichannel' actually mean? Keep it brief.
Can you briefly explain what a conversion pixel does?
What's a sensible average CPC for {industry} on Google? Ballpark is fine.
How do hashtags work on LinkedIn, quickly?
What are the main differences between Google Analytics 4 and Universal Analytics that a small {industry} shop would actually notice? Keep it to a few sentences.
Roughly how many emails a week is too many for a retail newsletter, and what unsubscribe rate should worry me? Short answer.
What's the difference between organic and paid reach, and why does it matter? Short answer.
Why do some emails bounce? Give me the main reasons in two lines.
How does Google decide which ad wins an auction? Keep it simple.
## brief_questions complex
A few quick questions: what's the difference between {metric} and {metric2}, how is each calculated, and what are typical benchmarks for {industry} on {channel}? One or two sentences per answer.
Quick-fire round, short answers only: what's CPM, what's CPC, what's ROAS, what's a good CTR on {channel}, and how long should a {channel} video be?
Brief factual answers please: when does daylight saving time end in {city}, what's the max file size for a {channel} ad image, and what's the character limit for a Google Ads headline?
Several short questions for my onboarding notes: what's a CDP, what's a DMP, how do they differ from a CRM, which one would a 10-person {industry} startup need, and roughly what does each cost?
Give me concise definitions of attribution, incrementality, holdout test, MMM and multi-touch attribution, and one sentence each on when a small team should care about them.
Rapid questions, one line each: what's a CDP, what's a data clean room, what is server-side tagging, why do cookies expire, and how long does GA4 keep data by default?
I'm new to marketing, so give me quick definitions with an example each: funnel, persona, CTA, retargeting, lookalike audience, attribution window, frequency cap.
Give me short, factual answers: the best posting times on {channel} and LinkedIn for B2B, current image specs for both, video length limits, and whether hashtags still matter on each, all in a compact list.
Short answers to a batch of questions: what is a conversion window, how is frequency calculated, what does a 2x ROAS mean in profit terms, and why do platform numbers differ from Google Analytics?
## copywriting_standard simple
Write a caption for our {product} post on {channel}.
Give me 5 subject lines for our {event} email.
Write a short product description for our {product}.
Write a tweet announcing our {event}.
Write a one-line ad for {product}.
Come up with a headline for a blog post about {topic}.
Write call-to-action button text for our signup page.
Write a short {channel} bio for {brand}, we sell {product}.
Write a caption and some hashtags for a photo of our {product}.
Rewrite this sentence to sound friendlier: 'Your order has been delayed.'
Write a push notification for our {event}.
Write an out-of-stock message for our {product} page.
Write a short SMS promo for our {event}.
Give me a catchy title for a {channel} video about {topic}.
Write a thank-you note for customers who bought {product}.
Write a two-sentence promo for our {event}.
Write a quick Facebook post about our new {product}.
Write a meta description for our {product} page.
Write alt copy for our email header: sale ends Sunday.
Write a short caption for a behind-the-scenes photo of our team.
Give me 3 headline ideas for our {product} ad.
Write a product title for our {product} listing.
Write a quick reminder email that our {event} starts tomorrow.
Write a LinkedIn post sharing our new blog article on {topic}.
Write a short review request message for customers.
Write a catchy slogan for our {event}.
Write an Instagram caption for our new {product}, fun tone, with 3 hashtags.
Write a short, friendly email subject line and preview text for our {event}.
Can you write a quick product blurb for our {product}, about two sentences, for the website?
Write a tweet about our {event} that includes the discount code SAVE20.
Write a short thank-you message we can print on a card inside every {product} order.
Rewrite this to sound friendlier: {paste}
Make this product description shorter and punchier: {paste}
Fix the tone of this email so it sounds less pushy: {paste}
Write a caption for this announcement: {paste}
Write a {words}-word product description for our {product} aimed at {audience}, {tone} tone.
Draft a promotional email for our {event}, about 150 words, with a clear CTA to shop now.
Write a blog intro paragraph about {topic} for {brand}'s blog, keep it {tone}.
Write a LinkedIn post announcing that {brand} just hit 10,000 customers, {tone} but not cringey.
Write a {tone} welcome email for new subscribers of {brand}.
Rewrite our About Us paragraph to be shorter and more {tone}, around {words} words.
Write an abandoned-cart email for {product} shoppers with a 10% discount code.
Write a YouTube video description for our {topic} tutorial, including timestamps placeholders and links.
Write a newsletter blurb announcing our {event} for {audience}.
Write the text for a flyer advertising our {event} in {city}.
Write an Etsy listing description for our handmade {product}, warm and personal, with size and care info.
Write a re-engagement email for customers who haven't ordered in 90 days, {tone} tone, with a subject line.
Write a short script for a 30-second TikTok ad for {product}, casual and energetic.
Rewrite this product description to be more persuasive and scannable for mobile shoppers.
## copywriting_standard medium
Write three {channel} ad variations for {product}, each under 125 characters, targeting {audience}.
Write copy for a landing page section explaining how our {product} works: a headline and 3 short bullet points.
Write Google Ads copy for {product}: 3 headlines (30 characters max) and 2 descriptions (90 characters max).
Write 5 Instagram captions for our {product} with emojis and a question to drive comments.
Write a {channel} carousel script for {brand} with 5 slides about {topic}, short punchy text per slide.
Write 10 tweet ideas to promote our {event}, mixing humor and urgency.
Write a blog post outline and intro on {topic} for our {industry} audience.
Write the product page copy for our {product}: short intro, 5 benefit bullets and a spec summary.
Write a 150-word product description for our {product} aimed at {audience}, highlighting comfort, durability and the 2-year warranty, and end with a call to action.
Write two versions of a promotional email for our {event}, one {tone} and one urgent, each around 120 words with a subject line.
Write a set of five {channel} captions for our {product} launch week, each under 150 characters, with a consistent {tone} tone.
Rewrite this product description for {audience}, make it more vivid and add 3 benefit bullets: {paste}
## copywriting_standard complex
Write product descriptions for 8 items in our {product} range. Each should be 80-100 words, include the keywords '{kw}' and '{kw2}', follow our {tone} voice, and end with a CTA. Also give each one an SEO title under 60 characters.
Draft a 3-email welcome sequence for {brand}'s new subscribers ({audience}): day 0 welcome with a discount code, day 2 education about {product}, day 5 social proof. Include subject lines, preview text and body copy for each, {tone} tone.
Write a week of {channel} posts (7 posts) for our {event}: each with a caption, 5 hashtags and a suggested visual, mixing educational, promotional and behind-the-scenes angles for {audience}.
Write an 800-word SEO blog post about {topic} for {brand} with H2 subheadings, a meta description, an intro hook and a conclusion with CTA, targeting the keyword '{kw}'.
Write the full copy for our {product} landing page: hero headline and subheadline, three benefit sections, FAQ with 5 questions, and a closing CTA. Target {audience}, keep it {tone}, and avoid claims we can't prove.
Create ad copy for a {channel} campaign: 4 audience segments ({audience}, students, parents, professionals), 3 ad variations each with headline, primary text and CTA, all under platform character limits.
Write 20 product listing titles and bullet points for our Amazon store selling {product}, optimized for search, each with 5 bullets covering benefits, materials, sizing, care and guarantee.
Write a full blog article (about 1,200 words) on {topic} for {brand}, with an engaging intro, 5 sections with subheadings, practical tips, an FAQ section and a CTA to our {product}, optimized for the keyword '{kw}'.
Write our monthly newsletter: a personal opening note, a feature story on {topic}, three product highlights for {product}, a customer spotlight, an upcoming events section and a P.S. with a discount code, {tone} tone, around 700 words.
Create social copy for our {event} across {channel}, LinkedIn and email: 5 posts per channel adapted to each platform's style and character limits, plus 3 email subject lines with preview text.
Write a complete email campaign for our {event}: teaser, launch, reminder and last-chance emails, each with subject line, preview text, body copy and CTA, segmented versions for new and returning customers, in our {tone} voice.
## copywriting_premium simple
Write a tagline for our luxury {product} brand.
Give me a premium, elegant headline for {brand}'s flagship store opening.
Write a one-line brand promise for {brand}; it needs to feel high-end.
Craft a sophisticated slogan for our new haute couture line.
Write the headline for {brand}'s Super Bowl ad.
Write an exquisite one-sentence description of our limited-edition {product}.
Craft a timeless tagline for our luxury watch house.
Write a refined, understated line for our five-star hotel's homepage.
I need a world-class tagline for our rebrand, something iconic.
Write a polished, premium opening line for our flagship perfume launch.
Write the tagline for our brand relaunch.
Name our new luxury skincare line and give it a signature line.
Write a premium headline for our homepage.
Write a slogan for {brand} that could run on a billboard in Times Square.
Give me a high-end product name and tagline for our flagship {product}.
Write the opening line of our CEO's keynote at the product launch.
Write our brand's mission statement, premium and memorable.
We're a luxury jewelry brand; write a one-line tagline for our new diamond collection that feels timeless and exclusive.
Write a premium, evocative headline for the homepage of {brand}, our high-end {industry} label.
Write the opening line for our founder's keynote at the national conference.
Write a headline for our IPO announcement that will run in the Financial Times.
Write a tagline for our national TV campaign.
Write one unforgettable sentence for the front of our brand book.
## copywriting_premium medium
Write a brand manifesto for {brand}, about 200 words, evocative and premium, for our rebrand.
Craft the hero copy for our flagship {product} launch page: headline, subheadline and a 60-word intro that feels like Apple or Aesop.
Write a polished press release opening for {brand}'s flagship launch; the quality has to be agency-level.
We're a luxury {industry} house. Write the copy for our holiday print ad: headline, body copy and sign-off. Refined, understated, no exclamation marks.
Write a high-converting, world-class sales page headline and opening for our $5,000 coaching program.
Craft an emotional brand story for {brand}'s 25th anniversary campaign, about 250 words, premium quality.
Write the copy for our luxury skincare line's packaging and website: elegant, sensorial, every word earns its place.
Write a premium email announcing our limited-edition collaboration with a famous designer; it must feel exclusive and elevated.
Our brand voice is cinematic and confident. Write three hero taglines for our flagship campaign with a short rationale for each.
Craft investor-grade narrative copy for our pitch deck's opening slides, polished and persuasive.
Write the homepage hero and about-page story for {brand}; we're positioning as the premium choice in {industry}, so the writing has to be exceptional.
Write a long-form sales letter for our high-ticket mastermind program, persuasive and polished, about 500 words.
Write our brand story for the website: founder origin, values and promise, in an elevated, literary voice.
Write the script for our 60-second brand film, emotional and cinematic, for {brand}'s rebrand.
Write a fundraising appeal email from our founder to major donors, moving and impeccably written.
Write copy for our luxury hotel's website: welcome, rooms, dining and spa sections, refined and evocative.
Write the speech our CEO will give at the launch event of {product}, inspiring and memorable, around 600 words.
Write the launch announcement for our partnership with a world-famous designer; every word has to be perfect.
Write the launch announcement for our flagship {product}, premium and emotionally compelling, about 200 words, for our most loyal customers and the press.
Craft three elegant taglines and a short brand story for our boutique hotel's rebrand, luxurious but warm, with a sentence explaining each tagline.
Write the announcement email for our Series B that goes to customers, investors and press; it has to be flawless and inspiring.
Write the copy for a full-page ad in Vogue introducing {brand}; sophisticated, memorable and worthy of the placement.
Write our new brand positioning statement and a short supporting narrative for the rebrand; it will be read by the whole company and our board.
## copywriting_premium complex
We're relaunching {brand} as a premium label. Write the full campaign copy: a 250-word manifesto, three hero taglines with rationale, a 30-second TV spot script and OOH billboard lines. Tone: confident, cinematic, understated luxury. This goes to the board, so it must be flawless.
Write the complete launch copy for our flagship {product}: landing page (hero, 3 benefit sections, testimonial intro, FAQ, closing CTA), a 60-second video script and a press announcement. This is our most important launch of the year, so aim for award-winning craft and a consistent premium brand voice.
Create an integrated premium campaign for {brand}'s {event}: campaign line, long-form manifesto, channel-specific headlines for print, {channel} and email, and a short investor-facing narrative. Every line should be polished enough to publish.
Write a luxury lookbook's full copy for our couture collection: an opening essay of 400 words, a poetic caption for each of 12 looks, and a closing note from the creative director, in an elevated, literary voice worthy of Vogue.
Rewrite our entire brand voice guide and hero messaging for a premium repositioning: brand essence, tone principles with do/don't examples, signature phrases, and rewritten hero copy for the homepage, about page and flagship product page. The quality bar is a top creative agency.
Create the verbal identity for {brand}'s rebrand: brand name rationale, tagline options, manifesto, tone-of-voice principles, and rewritten homepage, product and about copy, all at top-agency quality for a premium positioning against {competitor}.
Write the full script set for our national TV campaign: a 60-second anthem spot, two 30-second cutdowns, radio versions and the campaign tagline, with a premium, emotionally resonant voice and consistent storytelling.
Write the complete copy for our luxury {product} e-commerce experience: homepage, collection pages, 5 hero product pages, packaging insert and unboxing card, all in a sophisticated, consistent voice that justifies a premium price.
Develop the hero messaging for our flagship launch: campaign idea, tagline, manifesto, product storytelling for 3 features, and launch film script, all at premium, award-level quality for a global audience.
## strategy_planning simple
Give me a quick content strategy for a new {channel} account.
How should I plan our {event} promotion?
What's a simple marketing plan for a {industry} startup?
Suggest a posting schedule for {channel}.
Which marketing channels should a small {industry} brand focus on?
Outline a basic launch plan for {product}.
What should our marketing priorities be this quarter?
Help me plan a strategy to grow our newsletter.
How do we position {brand} against {competitor}?
Plan a simple influencer strategy for {product}.
What's a good strategy to get our first 100 customers?
Sketch a social media plan for {brand}.
What's the best way to grow {brand} on {channel}?
Should we focus on SEO or paid ads first?
Give me a plan for our first month on TikTok.
How should we approach expanding into {city}?
What's our next step to increase {metric}?
Plan our Q1 marketing priorities.
Suggest a pricing strategy for {product}.
How do we launch {product} with no budget?
We're a two-person {industry} startup; what's a simple way to plan our marketing for the next month?
What should my strategy be for getting more reviews on Google for our shop in {city}?
Give me a strategy to get more newsletter signups.
What's a good plan for our first product launch?
How should we plan our holiday marketing?
Plan a simple referral campaign for {brand}.
What should we focus on to grow our {channel} account?
## strategy_planning medium
Create a 30-day content calendar for {brand} on {channel} targeting {audience}.
Build a go-to-market plan for our {product}, targeting {audience}, with a budget of ${budget}.
Plan a {event} campaign across email and {channel}: timeline, key messages and offers.
How should we allocate a ${budget} monthly ad budget between {channel} and {channel2} for {product}?
Draft a positioning strategy for {brand} against {competitor} in the {industry} market.
Create a quarterly marketing roadmap for {brand} with goals and KPIs.
Plan an influencer marketing strategy for {product} targeting {audience}, with tiers, outreach and budget.
Develop an SEO content strategy for {brand}'s blog around {topic}, with pillar pages and clusters.
What's the best strategy to re-engage lapsed customers for {brand}? Lay out the plan in phases.
Plan the launch of our podcast: goals, format, guest strategy, promotion and a 3-month schedule.
Create a brand awareness strategy for entering {city} with a ${budget} budget.
Outline a retention strategy for our subscription {product}, with tactics by customer lifecycle stage.
We want to double our email list in 6 months. Lay out a plan with tactics, timeline and owners.
Plan a referral program strategy for {brand}: incentives, mechanics, promotion and success metrics.
Create a content pillar strategy for {brand}'s {channel} with 4 pillars and example post ideas for each.
How should a {industry} brand plan its marketing budget for next year? Give a phased plan.
Plan a product launch for {product} in 6 weeks: pre-launch, launch week and post-launch activities.
Suggest a community-building strategy for {audience} around {brand}, with milestones.
Plan an account-based marketing approach for our top 50 B2B prospects.
What's the right channel strategy for reaching {audience} with a ${budget} budget? Explain the plan.
We have ${budget} for next quarter and want more {audience} customers for {product}. Propose a plan with channels, timeline and how we'll measure it.
Plan a 6-week campaign for our {event} with weekly themes, channels and the main KPIs.
Plan how we should split our ${budget} budget across paid social, search and influencers for the next quarter, with reasoning.
Create a launch plan for our new {product} with pre-launch, launch and post-launch phases.
Put together a partnership strategy for {brand} with local businesses in {city}.
Outline a plan to move our customers from one-off purchases to subscriptions.
## strategy_planning complex
Develop a 12-month go-to-market strategy for {brand} entering the {industry} market in Europe: segmentation, positioning vs {competitor}, channel mix with a ${budget} budget allocation, pricing, launch phases, KPIs per phase, and risks with mitigations.
We're pivoting {brand} from B2C to B2B. Build a full strategic plan: ideal customer profile, messaging pillars, sales and marketing alignment, content strategy, a 6-month roadmap with milestones, hires, and how we'll measure success.
Plan our entire {event} strategy: objectives, audience segments ({audience} and existing customers), channel plan for {channel}, email and paid search, creative themes, an 8-week timeline, budget split, contingency plans and a measurement framework.
Create a 3-year brand strategy for {brand}: vision, target segments, competitive positioning against {competitor}, product line extensions, channel and partnership strategy, yearly objectives and key results, and the organizational changes needed.
Our growth has stalled at $2M ARR. Build a turnaround marketing strategy: diagnose likely causes, prioritize growth levers, design experiments for each, allocate a ${budget} quarterly budget, set a 90-day action plan and define decision points.
Design an omnichannel strategy for {brand} covering retail, e-commerce, {channel} and email: customer journey mapping, channel roles, messaging architecture, budget allocation, team structure and a phased rollout with KPIs.
Create a full marketing plan for {brand}'s next fiscal year: situation analysis, SWOT, objectives, target segments, positioning, channel strategy with budget by quarter, campaign calendar, team and agency roles, KPIs and a review cadence.
Build an international expansion strategy for {brand} into three markets: market prioritization criteria, entry mode, localization needs, pricing, partnerships, a 12-month phased rollout, budget and risk assessment for each market.
Design a product-led growth strategy for our SaaS: activation milestones, onboarding redesign, pricing and packaging changes, expansion triggers, sales assist model, experiments roadmap and metrics tree, with a 2-quarter execution plan.
Design our full marketing strategy for the next year.
Build a complete go-to-market strategy for our new {product} line.
## template_generation simple
Make a template for a weekly status update email.
Create a reusable template for {channel} captions.
Give me a blank creative brief template.
Make a fill-in-the-blank template for asking customers for testimonials.
Create a simple invoice template.
I need a meeting agenda template.
Give me a product launch announcement template with placeholders.
Create a press release template.
Make a template for replying to negative reviews.
Give me a content calendar template I can copy into {platform}.
Create a cold outreach email template.
Make a checklist template for publishing a blog post.
Give me a reusable prompt template for writing product descriptions.
Make me a reusable template for weekly {channel} posts.
Template for a thank-you email after a purchase.
Create a blank SWOT analysis template.
Give me a template for a client proposal.
Make a simple brand guidelines template.
I need a template for our monthly newsletter.
Create a template for event invitations.
Create a simple template I can reuse every week to announce new products on {channel}, with blanks for the product name and price.
Give me a basic template for replying to customer complaints that I can personalize.
Create a reusable email template for {event} promos with placeholders for [product name], [discount], [deadline] and [CTA link].
Make a customer onboarding email template with merge tags like {{first_name}} and {{company}}.
Build a job description template for marketing roles with sections and placeholder text we can reuse.
Make an influencer outreach template with personalization slots for name, recent post and offer.
## template_generation medium
Build a content brief template our freelance writers can fill in, with sections for goal, audience, keywords, outline, tone and deadline.
Create a monthly client report template with placeholder sections for {metric}, highlights and next steps.
Design a reusable set of {channel} post templates for {brand}: structures for tips, quotes and product features with placeholders.
Create a reusable prompt template for generating product descriptions, with variables for product, audience and tone.
Create a standard operating procedure template for our content team with fields for owner, steps, tools and review.
Create a case study template with sections for challenge, solution, results and quote, with guidance in each section.
Design a reusable landing page wireframe template in text: section order, placeholder headlines and copy slots.
Create a reusable template for product launch emails with placeholders for name, date, key features and pricing.
Build a fill-in-the-blank template for {channel} ad copy with slots for hook, benefit, proof and CTA.
Create a Notion template for tracking content ideas with properties for status, channel, owner and due date.
Make a standard response template library for customer support: refunds, delays, damaged items, with placeholders.
Create a template for writing user personas with sections for demographics, goals, pain points and quotes.
Design a reusable A/B test plan template: hypothesis, variants, metric, sample size and decision rule fields.
Create a reusable weekly report email template for our sales team with placeholders for numbers and commentary.
Create a reusable template for our monthly investor update with sections for highlights, metrics, challenges and asks, with placeholder text.
Make a template for briefing freelance designers: project goal, deliverables, sizes, brand assets, deadline and feedback rounds.
## template_generation complex
Build a complete template library for our agency: creative brief, campaign proposal, client onboarding checklist and monthly performance report. Each needs clear sections, placeholder fields in [brackets], guidance notes for whoever fills it in, and a consistent format we can paste into {platform}.
Create a modular email template system for {brand} with header, hero, product grid, testimonial and footer blocks; define merge fields for personalization ({{first_name}}, {{last_product}}, {{loyalty_tier}}), conditional sections for {audience}, and usage instructions for each block.
Design a reusable campaign planning template in {platform} with fields for objectives, audience, budget, channels, timeline, owners, approval status and KPIs, plus example entries and instructions for new team members.
Create a family of reusable prompt templates for our content team: blog outline, social caption, product description and ad copy. Each with variables, optional sections, style constraints, an example filled-in version and notes on when to use it.
Build a set of legal-reviewed contract and proposal templates for freelance marketers: statement of work, retainer agreement and change request, each with placeholder clauses, fee tables and instructions on what to customize.
Create a complete set of reusable templates for our product marketing team: launch tier checklist, positioning document, messaging matrix, sales enablement one-pager and launch retrospective, each with sections, placeholder fields, instructions and a filled-in example.
Design a reusable templating system for our transactional emails: a base layout, six message types, merge tags for personalization, localized variants, fallback values for missing data and documentation of every variable.
Build a full library of reusable templates for our sales and marketing team.
## trend_analysis simple
What's trending on {channel} right now?
What are the current trends in {industry}?
Is {topic} still trending?
Which hashtags are trending for {industry} this week?
Are short-form videos still growing?
What are the big design trends this year?
Is interest in {product} going up or down?
What's the trend in {metric} across the industry lately?
What are the latest {channel} trends for brands?
Which colors are trending in fashion this season?
Are podcasts still a growing trend?
What's hot in {industry} marketing right now?
What's trending in {industry} this month?
Any new trends on {channel} I should know about?
Are sales of {product} trending up?
What are the trending topics among {audience}?
Is TikTok shop growing or shrinking?
What are the latest trends in email marketing?
Which sounds are trending on TikTok this week?
What direction is {metric} heading in for our industry?
Has interest in {topic} been growing over the past year or fading? Just a quick read on the trend.
What's the general trend for {metric} in {industry} right now?
What's the trend here? {series}
Is this going up or down overall: {series}
Look at these monthly {channel} follower numbers and describe the trend: Jan 1200, Feb 1350, Mar 1330, Apr 1600, May 1900, Jun 2400.
What's the long-term trend in prices for {product}, and is it seasonal?
## trend_analysis medium
Analyze the trend in our {metric} over the {period} and tell me what's changing.
What are the emerging trends in {industry} marketing for {year}, and which ones matter for {audience}?
Compare search interest trends for '{kw}' vs '{kw2}' over the past year and explain the seasonality.
Which content formats are trending up and which are declining on {channel} for {industry} brands?
Identify seasonal patterns in our sales over the last 3 years.
How has consumer sentiment about {topic} shifted over the past year?
Spot the trends in these weekly traffic numbers and tell me whether the growth is accelerating or slowing.
What trends do you see in how {audience} shop online, and how are they changing year over year?
Track the trend of {competitor}'s social engagement over the last 6 months compared to ours.
How have {audience}'s buying habits changed over the last few years, and where is it heading?
Look at our monthly {metric} for the past year and describe the trend and any seasonality.
What are the rising search trends related to {topic} and what's behind them?
Break down how influencer marketing trends have shifted since 2023.
Compare the growth trend of our {channel} and {channel2} audiences over the last 12 months.
Which {industry} products are gaining momentum and which are losing it this year?
Analyze how the popularity of {topic} has changed over time across social platforms.
Review our {channel} engagement over the last 6 months and tell me which post types are trending up and which are declining.
What trends are shaping how {audience} discover new brands this year, and how fast are they changing?
Describe the trend and any seasonality in these numbers and say whether growth is slowing: {series}
## trend_analysis complex
Analyze multi-year trends in the {industry} market: consumer behavior shifts, channel adoption, pricing and competitor moves. Break it down by {audience} versus other segments, say which trends are accelerating or fading, quantify where possible, and flag the three most important for our roadmap.
Here are 24 months of weekly {metric} data across {channel}, email and search. Identify the overall trend, seasonality, structural breaks and how each channel's trend differs; call out anomalies and explain likely drivers.
Track how conversations about {topic} evolved on {channel} and Reddit over the last two years: volume trends, sentiment shifts, emerging sub-themes and the creators driving them. Summarize as a timeline.
Do a full trend report on {industry} for {year}: macro trends, technology shifts, changing {audience} expectations, regulatory changes, and what each means for a mid-size brand, with leading indicators to monitor.
Compare year-over-year trends for our 15 product categories using monthly revenue, units and return rates; decompose each into trend and seasonal components and rank categories by momentum.
Map the major trends shaping {industry} over the next three years: demographic, technological, regulatory and cultural shifts, with evidence of momentum for each, how fast it's moving, who is winning from it, and what it means for our product roadmap and marketing.
Analyze three years of our sales, traffic and social data to identify long-term trends, cyclical patterns and trend reversals by region and product line, and explain which shifts look structural versus temporary.
Give me an in-depth analysis of where the {industry} market is heading over the next five years.
## image_analysis simple
What's in this image?
Describe this photo.
What do you think of this picture?
Is this logo any good?
What colors are used in this image?
Write alt text for this image.
What mood does this photo give off?
Rate this product photo.
Who do you think this ad is targeting?
Is this image on-brand for a {industry} company?
What style is this illustration?
Describe this image in one sentence.
Does this photo look professional?
What's happening in this picture?
Is this thumbnail eye-catching?
Caption this image for accessibility.
[no attachment] What's in the image at https://example.com/photo.jpg?
What does this picture show?
Is this photo good enough for our website?
Tell me what you see here.
What's the vibe of this photo?
Does this ad look cluttered?
Which of these two photos looks better?
Is this image too dark?
Who might this photo appeal to?
What's the main subject of this image?
Give this design honest feedback.
What do you think of this photo for our homepage? Does it feel warm and inviting?
Can you describe what's in this picture and suggest a short caption?
Does this picture look good for a LinkedIn profile?
Is the text on this banner readable?
Describe this artwork.
What's the subject of this photo?
Is this design too busy?
Describe the visual style of this photo so I can recreate it for {brand}.
Look at this moodboard image and describe the palette, textures and feel in detail.
Analyze the composition and lighting of this portrait for our team page.
Look at this flyer design and tell me if it's easy to understand at a glance.
Describe the scene in this image and suggest a caption that matches its mood.
## image_analysis medium
Analyze this ad creative: is the composition working, and is the product clear enough?
Look at this Instagram post image and tell me why it might be underperforming.
Critique the design of this banner for our {event}: hierarchy, contrast and readability.
Does this product shot match our brand guidelines of minimal, warm, natural light?
What emotions does this campaign image evoke, and would it appeal to {audience}?
Analyze this picture of our store window display and suggest how to make it more inviting.
Compare the look of this photo with our usual aesthetic: warm tones, lots of white space.
Tell me what works and what doesn't in this logo design for a {industry} brand.
[no attachment] Analyze the image at https://cdn.example.com/ad.png and tell me if the text is readable on mobile.
Describe this product photo in detail so I can write a listing for it.
What's working in this Instagram grid and what would you change visually?
Analyze the color palette and fonts in this poster and tell me if they fit a {industry} brand.
Is this photo of our {product} appealing to {audience}? Explain what helps and hurts.
Give me creative feedback on this illustration for our app's onboarding screen.
Look at this product photo and tell me whether the lighting, background and angle make the {product} look premium, and what to change.
Describe the style, colors and mood of this reference image so our designer can match it for {brand}.
## image_analysis complex
Do a full creative analysis of this ad image: composition, color palette, typography, focal point, brand consistency, emotional tone and likely performance with {audience} on {channel}. Then give 5 specific improvements ranked by impact.
Analyze this photo for our {brand} lookbook in depth: lighting, styling, pose, background, how it communicates premium positioning and any elements that clash with our aesthetic. Write reshoot notes for the photographer.
Evaluate this packaging design image from a shopper's perspective: shelf visibility, information hierarchy, color psychology and differentiation from {competitor}. Give detailed feedback with priorities.
Review this landing page hero image in depth: does the visual support the headline, where does the eye go first, is it inclusive and on-brand, and how would you test alternatives? Be thorough and specific.
Analyze this photo of our trade show booth: visual hierarchy, brand visibility from a distance, lighting, clutter, how it compares to best practices, and a prioritized list of changes for the next event.
Analyze this set of campaign visuals as a creative director would: consistency across the set, visual storytelling, brand alignment, diversity and representation, composition and color, and a detailed critique per image with recommended changes.
Study this photo of our retail display in depth: customer flow, product visibility, signage, lighting, color and brand cues, and compare it with premium retail best practices, then produce a redesign brief.
Give me an expert-level critique of these campaign images.
## vision_analysis simple
Read the text in this image.
What's the total on this {doc}?
Extract the phone number from this business card.
How many people are in this photo?
What does this screenshot say?
Transcribe the handwriting in this photo.
What's the value of the tallest bar in this chart?
Read the serial number on this label.
Which brand logos can you spot in this photo?
What's the date on this {doc}?
OCR this image.
Count the bottles on this shelf.
What error message is shown in this screenshot?
What does the sign in this photo say?
Read the numbers off this graph.
[no attachment] Extract the text from the scanned {doc} at https://files.example.com/scan.png
What's written on this sticky note?
How much is the item in this photo priced at?
Read this QR code's caption text.
What's the address on this envelope?
How many cars are in this picture?
What does this handwritten note say?
Read this screenshot and tell me the total followers.
Transcribe this slide.
What's the expiry date on this label?
What's the total amount on this receipt, including tax?
Read the text on this slide and type it out for me.
What does the price tag in this photo say?
How many items are on this receipt?
Read the handwriting on this whiteboard.
What's the name on this badge?
Copy the text from this screenshot.
Read this chart screenshot and tell me the value for each month.
Turn this whiteboard photo into clean bullet points.
OCR this scanned page and return the text with the original structure.
Read the table in this screenshot and convert it to CSV.
Pull out all the dates and amounts from this scanned {doc}.
Convert this photographed table into a markdown table.
Read this screenshot of an error and tell me what went wrong.
Extract the nutrition facts from this product label photo into JSON.
## vision_analysis medium
Extract all line items and prices from this {doc} into a table.
Look at this dashboard screenshot and list every KPI shown with its value.
Count how many products are on this store shelf and identify which ones are ours.
Extract the menu items and prices from this photo of a restaurant menu.
Identify any visible defects on the product in this photo.
Detect and list all objects in this warehouse photo with approximate counts.
Extract the name, title, email and company from these business card photos into JSON.
Read the analytics screenshot and tell me the {metric} and how it changed versus last period.
Compare these two screenshots and list the differences in the numbers.
Read the text on each product in this shelf photo and list the brands.
Look at this photo of a form and extract every field and value.
Read the chart in this image and summarize the numbers it shows.
Identify the plant species and count the pots in this photo.
Extract the table from this screenshot into CSV, keeping the column headers and units.
Read the numbers on this analytics dashboard screenshot and tell me which metric changed the most.
## vision_analysis complex
These are screenshots of our {channel} analytics for 3 months. Extract every metric per month, build a comparison table and flag which numbers don't add up across the screenshots.
From these photos of competitor shelf displays, detect each product, read the price tags, note shelf position and number of facings, and output a structured JSON summary per store.
This is a scanned 4-page contract with tables and handwritten notes. Extract the key terms, dates and amounts, note which signatures are present, and transcribe the handwritten annotations, marking anything illegible.
Compare these two UI screenshots of our checkout page (before and after the redesign): list every visual difference, read all on-screen text and check whether the prices and totals are consistent.
Process these 20 photos of receipts: extract merchant, date, line items, tax and total for each, normalize currencies, and flag receipts that are blurry or cut off.
Look at this photo of a conference room whiteboard with a flowchart and sticky notes: reconstruct the flowchart as text, transcribe every note, and group the notes by the column they sit in.
From these 12 screenshots of our competitors' pricing pages, extract every plan name, price, billing period and feature, then build a normalized comparison table and note where screenshots are cropped or unreadable.
Analyze this scanned multi-page invoice bundle: extract vendor, invoice number, dates, line items, tax and totals per invoice, check that line items sum to totals, and flag any mismatches.
Inspect these factory photos for quality control: detect defects like scratches, dents and misalignment, locate each one, rate its severity and produce a defect log per photo.
Extract every figure, label and footnote from these annual report pages.
## image_generation_quality simple
Generate an image of {subject}.
Create a picture of {subject}.
Draw {subject} in a {style} style.
Make a hero image for our homepage showing our {product}.
Generate a high-res photo of {product} on a marble countertop.
Create a logo for {brand}.
Make a poster image for our {event}.
Generate a {style} portrait of {subject}.
Create an illustration of {subject} for our blog.
Paint {subject}.
I need an image of {subject} for a presentation slide.
Render our {product} in a {style} look.
Make me a profile banner image for {channel}.
Generate a cover image for our ebook about {topic}.
Make a picture of our {product} for the website.
Can you create a nice image for my blog post on {topic}?
Design a profile picture for {brand}.
Generate one beautiful image of {subject}.
Create a header graphic for our newsletter.
Make an image for our {event} invitation.
I want a realistic photo of {subject}.
Generate art of {subject} for our office wall.
Create an image of {subject} with soft lighting for our blog header.
Generate a clean product photo of {product} on a white background.
Generate a magazine-quality image of {product} with dramatic lighting and a dark background.
Create a striking album-cover-style image of {subject}, vivid colors, square format, high detail.
Generate a realistic mockup of our {product} packaging on a store shelf, sharp and well lit.
Make a photoreal image of {audience} enjoying our {product} outdoors, golden hour, candid style.
Generate a polished product render of {product} from three-quarter view on a seamless background.
Create a beautiful, detailed book cover illustration about {topic} in a {style} style.
Generate an eye-catching {style} poster of {subject} with strong composition and vivid colors.
## image_generation_quality medium
Generate a photorealistic product shot of our {product} on a wooden table with soft morning light, shallow depth of field, 4K.
Create a {style} illustration of {subject} for our blog header, 16:9, brand colors teal and coral.
Design a high-quality hero banner image for {brand}'s {event}: {subject}, cinematic lighting, room for text on the left.
Make a print-ready poster visual for our {event} in a {style} style, ultra detailed.
Generate a premium lifestyle image of {audience} using our {product}, natural tones, editorial feel.
Create a detailed {style} key visual of {subject} for our website, high resolution, no text.
Make a detailed infographic-style illustration showing how our {product} works, clean and professional.
Create a high-resolution banner for our website featuring {subject}, with our brand colors and space for a headline.
Generate a detailed {style} scene of {subject} for our campaign, sharp focus, professional quality.
Generate a photorealistic image of {subject} at sunset, warm tones, shallow depth of field, 16:9 for our website banner.
Create a {style} illustration of {subject} with our brand colors, high detail, for a printed poster.
## image_generation_quality complex
Create a single flagship campaign image for {brand}: {subject}, {style}, golden-hour backlight, 85mm lens look, f/1.8 bokeh, muted earth-tone palette matching our brand, negative space top-right for the logo, no text, billboard print resolution. It must be gallery quality.
Generate the key visual for our {product} launch: hyper-detailed {style} render, product centered at a three-quarter angle on a reflective surface, dramatic rim lighting, navy-to-black gradient background, Apple-style minimalism, 8K, good enough for a magazine back cover.
I need one perfect cover image for our annual report: {subject}, {style}, conveying growth and trust, subject on the left third with a low horizon, soft color grading and very fine detail. Iterate on the lighting until it looks truly professional.
Produce a photoreal hero image for our luxury {product}: macro detail of the materials, studio lighting with softboxes from the left, subtle reflections, a single prop that hints at {audience}'s lifestyle, color-accurate to our brand swatches, ready for large-format print.
Create a richly detailed {style} illustration for our {event} poster: {subject} in the foreground, a city skyline behind, layered depth, consistent light source, a palette limited to five brand colors, and clean space at the bottom for event details.
Generate one hero image for our homepage: {subject} in a {style} style, shot from a low angle, soft volumetric light, brand palette of sage, cream and terracotta, subtle film grain, and a clean area on the right for the headline. Revise until the details are perfect.
Create a museum-quality {style} artwork of {subject} for a limited print run: intricate detail, balanced composition, harmonious palette, consistent perspective and lighting, at very high resolution.
Create a flawless, award-worthy key visual for our global campaign.
## image_generation_bulk simple
Generate {n} images of {subject}.
Make {n} variations of our {product} ad image.
Create {n} thumbnails for our YouTube videos.
Generate {n} quick {style} icons for our app.
Batch-create {n} product mockups for our {product}.
I need {n} stock-style photos of {audience} at work.
Make {n} different background images for our {channel} stories.
Generate a bunch of quick concept images of {subject}, like {n} of them.
Create {n} {style} stickers for our community.
Give me {n} rough image options for our {event} banner.
Generate lots of cheap draft images of {subject} so we can pick one.
Make {n} placeholder images for our website prototype.
Generate {n} quick variations of this banner.
Make {n} different versions of our logo idea.
Create {n} images for our product catalog.
Generate {n} emoji-style icons for our app.
Make {n} social post images for this month.
Create {n} ad images we can test.
Generate a batch of {n} backgrounds.
Give me {n} {style} illustrations of {subject}.
Make {n} simple images for our {channel} posts this month, one per day.
Generate {n} product thumbnails with a white background.
Generate a set of {n} avatar illustrations in a {style} style for our community members.
Generate {n} variations of our logo in different color schemes for quick review.
## image_generation_bulk medium
Generate {n} social media images for our {event}, one per day, in a consistent {style} style.
Create {n} ad creative variations of our {product} with different backgrounds for A/B testing on {channel}.
Make {n} blog header images, one for each of our posts about {topic}, budgeting, remote work, productivity and onboarding.
Produce a batch of {n} catalog images of {product} in a {style} look, white background, same angle.
Create {n} Pinterest pins for {brand}, each a different recipe photo style, vertical format.
Make {n} product images for our catalog, one per SKU, consistent lighting, fast and cheap is fine.
Create a batch of {n} draft illustrations for our onboarding screens so the team can vote.
Generate {n} {channel} story backgrounds in our brand colors with small variations.
Create {n} {channel} ad images for {product}, each with a different color background, draft quality is fine.
Generate {n} lifestyle shots of {product} in different settings for our catalog.
Make {n} thumbnail variants for our YouTube series, each with a different expression and color.
Generate {n} quick concept images for our {event} so we can choose a direction.
Produce {n} variations of this product photo with different seasonal backgrounds.
Generate {n} illustrations for our blog, one per article title in the list.
Generate {n} {style} images of {subject} with slight variations in color and angle, square format, for our social calendar.
Create {n} versions of our {product} ad with different headlines overlaid, for A/B tests.
## image_generation_bulk complex
Generate {n} product images for our {industry} catalog: one per SKU in the list below, consistent lighting and white background, square format, plus 3 lifestyle variants per SKU in a {style} style, named by SKU and delivered in batches.
For our {channel} campaign, create {n} image variations crossing 5 backgrounds, 4 color schemes and 3 headline placements for {product}, keeping the logo consistent, so we can run a large multivariate test.
Bulk-generate {n} localized banner images for our {event} across 10 markets, each with a placeholder area for the market's language, seasonal motifs and 3 aspect ratios (1:1, 9:16, 16:9). Cheap and fast is fine; we'll pick winners later.
Create a full set of {n} illustrations for our app: 30 empty-state images, 40 feature icons and 30 onboarding scenes, all in the same {style} style with our palette, exported at two sizes, generated in batches of 10 for review.
Generate {n} personalized images, one for each customer in our list, showing {subject} with their first name on a sign, varying the background by city, for a batch email campaign.
Generate {n} ad creatives for a large test: 10 product angles times 5 background styles, each exported in square and story formats, with consistent branding and file names that encode the variant, cheapest settings are fine.
Create {n} images for our marketplace listings, one per product in the attached catalog: white background hero, plus a lifestyle variant in a {style} style, generated overnight in batches and named by SKU.
Generate thousands of product images for our whole catalog.
## code_generation simple
Write a {code_lang} function to {code_task}.
How do I reverse a string in {code_lang}?
Give me a regex to validate email addresses.
Write a bash one-liner to count lines in all CSV files in a folder.
Fix this code: `for i in range(10) print(i)`
Write a JavaScript snippet to copy text to the clipboard.
Convert this Python 2 print statement to Python 3: print 'hello'
How do I center a div in CSS?
Write a Python function that checks if a number is prime.
What's wrong with this line: `const x = [1,2,3].map(n => { n * 2 })`?
Write a {code_lang} snippet to {code_task}.
Give me a Python list comprehension that squares even numbers.
Write a git command to undo my last commit.
Write a small HTML email signature with our logo and links.
Write a function that converts Celsius to Fahrenheit.
How do I loop through a dictionary in Python?
Write a SQL-free Python snippet to read a CSV with pandas.
Write the HTML for a newsletter signup form.
Fix my JavaScript: it says 'undefined is not a function'.
Write a CSS animation for a button hover.
Write a Python script to rename files in a folder.
Explain and fix this error: TypeError: 'NoneType' object is not subscriptable
Write a cron expression for every Monday at 9am.
Write a {code_lang} hello world web server.
Write a Python function that removes duplicates from a list while keeping the order.
Write a small JavaScript function to format a number as currency.
Fix this function, it returns None: ```def total(items):\\n    for i in items:\\n        s = s + i```
Why does this crash? ```const data = JSON.parse(undefined)```
Write a Python regex that matches US phone numbers.
How do I make an API request with fetch in JavaScript?
Write a JavaScript function to shuffle an array.
Give me the Python code to send an email with smtplib.
How do I read a JSON file in Node.js?
Write a bash script that backs up a folder every night.
Write a Python function to slugify a blog title.
Convert this jQuery to vanilla JS: $('#btn').click(() => alert('hi'))
Write a TypeScript interface for a user with name, email and optional phone.
Debug this Python: I get KeyError 'price' when looping over my product dicts. ```for p in products: total += p['price']```
Write a Shopify Liquid snippet that shows a 'low stock' badge when inventory is under 5.
Write a Vue component that shows a countdown timer to our {event}.
## code_generation medium
Write a {code_lang} script that can {code_task}, with error handling and comments.
Create a React component for a pricing table with three tiers and a monthly/yearly toggle.
Write a Python script that calls the {platform} API, fetches all contacts and saves them to a CSV.
Build a Node.js Express endpoint that receives a Shopify webhook and verifies the HMAC signature.
Write pytest unit tests for a function that calculates {metric} from clicks and impressions.
Refactor this JavaScript to use async/await instead of promise chains: ```function load(cb){ fetch(url).then(r => r.json()).then(d => cb(null, d)).catch(cb) }```
Write a Google Apps Script that emails me when a new row is added to our leads sheet.
Build a simple Flask app with a form that saves newsletter signups to SQLite.
Write a TypeScript type and a validation function for our product JSON with name, price and tags.
Create a WordPress shortcode in PHP that shows a countdown timer to our {event}.
Write a Python class for a rate limiter with a token bucket and unit tests.
Write a Python script that reads our orders CSV with pandas, groups by month and plots revenue with matplotlib.
Write a JavaScript function that tracks button clicks and sends them to Google Analytics 4 as events.
Create a Python FastAPI endpoint that returns product recommendations from a JSON file.
Write a GitHub Actions workflow that runs our tests and deploys to Netlify on merge.
Write a Python script using the OpenAI API to summarize each row of a spreadsheet.
Write a {code_lang} CLI tool to {code_task}, with argument parsing and a README.
Write a Python script that reads a folder of CSV files, merges them and writes one Excel file, with basic error handling.
Create a React form component with validation for name, email and message fields.
Write a Python scraper with requests and BeautifulSoup that collects product names and prices from a category page, with pagination.
Build a small Express server with two routes and JSON error handling.
Write a React hook that fetches data from an API with loading and error states.
Create a Python script that resizes and compresses every image in a folder and writes them to an output folder.
Implement a function in {code_lang} that validates and formats international phone numbers, with tests.
## code_generation complex
Build a {code_lang} microservice that ingests {channel} ad performance via its API, stores it in PostgreSQL, exposes a REST API with pagination and auth, retries with exponential backoff, and includes a Docker setup and unit tests.
Write a complete Chrome extension (manifest v3) that highlights competitor prices on product pages, stores a watchlist in local storage, has a popup UI and sends a daily notification. Include all the files.
Implement a Python CLI that crawls our blog's sitemap, extracts each article's title, word count and meta description, checks for broken links concurrently with asyncio, and writes an HTML report. Use type hints, argparse, logging and tests.
Refactor our Django checkout module into a clean architecture: separate services, repositories and views, add type hints, fix the N+1 queries and write migration-safe tests.
Build a Next.js app with authentication, a dashboard that charts {metric} from our API, role-based access, server-side caching and end-to-end tests with Playwright.
Write a {code_lang} library for our A/B testing: deterministic user bucketing by hash, experiment config from YAML, exposure logging, a sequential significance test, and full documentation with examples.
Architect and implement a webhook-driven integration between Stripe and our CRM in {code_lang}: idempotent handlers, signature verification, a retry queue, database migrations, observability and full test coverage.
Build a full-stack feature: a React referral dashboard, a Node.js API with Postgres, referral code generation, fraud checks, email notifications and unit plus integration tests, with a deployment guide.
Write a Python package that wraps three ad platform APIs behind one interface, with async clients, rate limiting, pagination, typed models, retries, caching and a test suite using recorded fixtures.
Build a production-ready web app for our team.
Write a complete backend service for our loyalty program.
Design and code a plugin system for our {code_lang} CLI: dynamic loading, a versioned plugin API, configuration, sandboxed execution, error isolation and documentation for plugin authors.
## translation simple
Translate 'Free shipping on orders over $50' into {lang}.
How do you say 'thank you for your order' in {lang}?
Translate this to {lang}: Sale ends tonight!
What's 'limited edition' in {lang}?
Translate our tagline '{headline}' into {lang}.
Put this in {lang}: 'Sign up for our newsletter'
Translate 'out of stock' to {lang}.
What does 'merci pour votre achat' mean in English?
Translate this {lang} comment to English: 'muy buen producto, llegó rápido'
{lang} translation of 'Add to cart', please.
Translate 'Happy holidays from all of us' into {lang} and {lang2}.
Can you translate 'we'll be right back' to {lang}?
Translate 'welcome back' into {lang}.
How would I say 'shop now' in {lang}?
Translate this headline to {lang}: '{headline}'
What's the {lang} for 'gift card'?
Translate 'your cart is waiting' into {lang}.
Please translate 'Terms and Conditions' to {lang}.
Translate into English: 'Danke für Ihre Bestellung'
Translate this short thank-you message into {lang}: 'Thank you for shopping with us, see you soon!'
Translate our store hours sign into {lang}.
Translate into {lang}: {paste}
Can you translate this for our {lang} customers? {paste}
Translate this review into English: {paste}
Translate this product description into {lang}, keeping the {tone} tone: 'Our {product} is designed for people who move fast and never compromise on quality.'
Translate this customer review from {lang} into English and tell me the sentiment.
Translate our {product} packaging text into {lang}, keeping the units and legal warnings accurate.
Translate this press release paragraph into {lang} for journalists in {city}, keeping the quotes intact.
Translate the following 10 UI button labels into {lang}, keeping each under 15 characters.
Translate these Instagram captions into {lang} and keep the emojis and the playful tone.
Translate this job posting into {lang} for our {city} office.
## translation medium
Translate our welcome email into {lang} and {lang2}, adapting idioms so they sound natural.
Localize these 5 {channel} ad headlines for the {lang}-speaking market; not literally, make them sound native.
Translate these FAQ answers into {lang}, formal register: 1) How do I return an item? 2) When will my order ship?
Translate this email from our {lang} supplier and draft a reply in {lang}.
Localize our {event} Instagram captions for {lang} audiences, keeping the hashtags in English.
Translate our return policy (3 short paragraphs) into {lang}, keeping it clear and polite.
Translate our product's onboarding screens into {lang}; keep button text short.
Localize our pricing page headline and 3 bullets for {lang} customers, adapting currency.
Translate this customer complaint from {lang} and suggest a reply in {lang}.
Translate this 200-word product description into {lang}, keeping the brand name in English and adapting the tone for local shoppers.
Translate these three customer emails from {lang} into English and summarize what each one wants.
Translate this into {lang} and {lang2}, keeping the tone and adapting any idioms: {paste}
## translation complex
Localize our entire {product} landing page (hero, features, FAQ and legal footer, about 1,200 words) into {lang}, {lang2} and {lang3}. Adapt cultural references, currency and units, keep brand terms untranslated, respect button character limits and flag anything legally sensitive in each market.
Translate our app's UI strings file (JSON, 300 keys) into {lang} and {lang2}, preserving placeholders like {{count}} and HTML tags, handling plurals correctly and keeping each string under its max length. Provide a glossary of the terms you chose.
Transcreate our {event} campaign for the {lang} and {lang2} markets: slogan, 3 email subject lines and the hero copy. Don't translate literally: adapt wordplay, tone and cultural references, and explain your choices for each market.
Translate our 20-page employee handbook into {lang}, keeping legal terminology precise, consistent terms throughout, the original headings structure, and a list of phrases that had no direct equivalent.
Translate and culturally adapt our onboarding email series (5 emails) for {lang}, {lang2} and {lang3} customers, adjusting formality, date formats and examples, and note where local regulations change the content.
Localize our whole help center (40 articles) into {lang} and {lang2}: keep product names in English, maintain a consistent glossary, adapt screenshots references, follow each market's formality norms and produce a list of terms needing legal review.
Translate and adapt our brand guidelines document into {lang}, {lang2} and {lang3}, including tone-of-voice examples rewritten natively, cultural do's and don'ts per market, and notes where the original concept doesn't travel.
Localize our entire website into {lang} and {lang2}.
## embeddings simple
Embed this sentence: 'Our {product} ships free worldwide.'
Get the embedding vector for '{product}'.
Create embeddings for these product titles.
Vectorize this paragraph for semantic search.
Compute the similarity between 'running shoes' and 'jogging sneakers'.
Generate an embedding for our FAQ entry about returns.
Embed these 5 keywords.
Give me vector embeddings for this list of tags.
How similar are these two sentences semantically?
Turn this text into an embedding.
Embed our tagline '{headline}'.
Vectorize these product names.
Embed this customer review.
Get embeddings for these 10 sentences.
Compute cosine similarity between these two product descriptions.
Create a vector for this search query.
Embed this list of job titles.
Make embeddings of our FAQ questions.
Create an embedding for each of these three product titles.
Get vectors for these short customer comments.
Embed these phrases: {items}
Get embeddings for these: {items}
Convert these product names into vectors.
Embed this blog post for our vector database.
What's the embedding of 'summer sale'?
Give me embeddings for these three queries.
Embed the attached list of FAQs.
## embeddings medium
Create embeddings for our 500 blog posts so we can build semantic search.
Find the most similar products to '{product}' in our catalog using embeddings.
Cluster these customer reviews by meaning using vector embeddings.
Embed all our support tickets and find near-duplicates.
Generate embeddings for these keywords and group them into topic clusters: {kw}, {kw2}, best {product}, cheap {product}, {product} reviews.
Index our help-center articles into a vector store for retrieval-augmented generation.
Embed our product catalog and recommend related items for each product.
Compute embeddings for these 200 survey answers and find the 10 most similar to 'shipping was slow'.
Use embeddings to match incoming leads to the closest customer persona.
Embed the descriptions of our {n} courses so students can search them by meaning.
Find semantically duplicate questions in our FAQ using cosine similarity.
Generate embeddings for our product descriptions and find the five closest matches to 'lightweight summer jacket'.
Embed our 1,000 most recent support tickets and group similar ones.
Build vectors for our blog posts so we can show related articles.
Create embeddings for these search queries and map each to the closest category.
Embed these user bios and find influencers similar to our best performer.
Use semantic similarity to detect duplicate products in our catalog.
Embed our 300 FAQ entries and, for each new question, return the three most similar existing ones.
Generate embeddings for our product reviews and group them into themes by similarity.
Embed these and tell me which two are the most similar: {items}
Use embeddings to find which of our 300 articles are most related to 'email marketing for beginners'.
Create vector embeddings for our product catalog and store them for similarity search.
Embed these customer messages and cluster them into 5 groups by topic.
Match each support ticket to the most similar help article using embeddings.
## embeddings complex
Build a semantic search index over our 20,000 product descriptions in 3 languages: chunk long texts, generate multilingual embeddings, store them with metadata (category, price, language) and set up cosine-similarity retrieval with a reranking step.
Embed 50,000 customer reviews, cluster them into themes with HDBSCAN, label each cluster and surface the nearest-neighbor examples for each theme for our product team.
Set up a RAG knowledge base for {brand}: embed our brand guidelines, past campaigns and product docs, choose chunk size and overlap, dedupe near-identical chunks by cosine similarity above 0.95 and return the top-5 passages for any query.
Create an embeddings pipeline for our content library: embed every article and video transcript nightly, detect new near-duplicates, build topic maps with dimensionality reduction and keep the vector index in sync with deletions.
Compare three embedding approaches for matching job titles to our taxonomy: evaluate recall@10 on a labelled sample, measure the effect of normalizing titles first, and recommend vector dimensions and index type.
Design a vector search setup for our 2M-document archive: embedding model choice, chunking strategy, metadata filters, approximate nearest neighbor index parameters, re-embedding schedule and an evaluation of retrieval quality.
Build a recommendation engine from embeddings: embed products, users' browsing histories and reviews into one space, compute similarity-based recommendations, handle cold start, and evaluate with offline hit-rate.
Build a full semantic search system over all our company documents.
Design an embedding-based deduplication and search system for 5 million product listings across marketplaces: model choice, vector dimensions, batching, index sharding, similarity thresholds and evaluation of precision and recall.
## query_interpretation simple
What is the user asking here: 'cheap flights nyc next wknd'?
Interpret this search query: 'vegan leather tote under 100'.
What's the intent behind 'best {product} for beginners'?
Is this query informational or transactional: 'buy {product} near me'?
What does a customer mean by 'where's my stuff'?
Parse 'red dresses size 8 on sale' into search filters.
What is this person looking for: '{product} cheap fast delivery'?
What does my boss mean by 'get me the numbers on the spring thing'?
Classify the intent of the query '{brand} login'.
Interpret this request: 'show me last month's winners'.
What does this query want: 'hotels {city} pool pet friendly'?
Is 'how to clean suede' a question or a shopping query?
What does the user mean by 'same as last time but bigger'?
Interpret this question: 'how are we trending?'
What is someone searching 'apple' on our grocery site looking for?
Figure out the intent of: 'cancel my plan'.
What's being asked here: 'revenue by region ytd'?
Is 'jaguar price' about the car or the animal?
Rephrase this vague request into a clear question: 'numbers for the thing'.
Understand this request for me: 'top sellers last wk exc returns'.
Explain what this query does: SELECT COUNT(*) FROM users WHERE active = 1;
A shopper searched 'gift ideas for mom under 50'. What are they looking for?
What does 'active users' mean in this question: 'how many active users did we have in May'?
What does this person want? {query}
Interpret this search: {query}
What did the user mean when they asked 'will it go up?'
Someone asked our bot 'how are we doing?' What are they probably asking for?
Interpret this: 'sales last week vs same week last year'.
What is the intent of 'cheapest plan with API access'?
Understand this customer message: 'it broke again, same as before'.
## query_interpretation medium
A customer typed 'waterproof {product} womens under $80 free returns' into our site search. Break it down into intent, category, attributes and price filters as JSON.
Classify the intent of these search queries: 'how to clean suede', '{product} discount code', '{brand} vs {competitor}', '{brand} login'.
Our analyst asked 'how did the spring promo do with repeat buyers in the west?' What data do they actually need: metrics, segments and time range?
Explain in plain English what this SQL query does: SELECT region, SUM(amount) FROM orders WHERE created_at > '2026-01-01' GROUP BY region;
The user said 'show me last month's winners'. What could they mean, and what clarifying question should we ask?
Turn this natural-language request into structured search parameters: 'hotels in {city} with a pool, pet friendly, under $200 a night, next weekend'.
Our chatbot got the message 'cancel it but keep the other one'. Interpret what the customer most likely wants and what's ambiguous.
Map this question to our data model: 'which {channel} campaigns brought the most new customers in {period}?' List the entities, filters and metrics.
Rewrite these vague search queries into clear, specific intents: 'gift for dad', 'something for dry skin', 'desk thing for back pain'.
Figure out what the user means by 'the usual report but for EMEA' and list the assumptions you'd make.
Help me understand what this stakeholder is really asking for: 'Can you pull the churn stuff but only for the good customers?'
Break this search query into entities and intent: 'nike running shoes men size 10 black under 120'.
A user asked our assistant 'which ads worked best in spring?' List the possible interpretations and the assumptions for each.
Explain this SQL query step by step so a marketer can understand what it returns.
Normalize these customer search phrases into canonical intents: 'where is my order', 'track package', 'delivery status??', 'order not here'.
Determine what the user wants from 'give me the funnel for mobile users since the redesign' and list the filters.
Disambiguate this request: 'compare Q1 to last year' — which metrics and which periods could it mean?
Translate this business question into the metrics, filters and date range we'd need: 'how did returning customers respond to the spring sale?'
Work out what the user wants from 'show me the best stuff from last quarter' and propose two clarifying questions.
Our CEO asked 'are we going to hit the number this quarter?' Interpret what she's really asking and which data would answer it.
A user typed 'predict churn for the big accounts' into our analytics tool. Break down the intent, entities and missing details.
Interpret these three chatbot messages and label each with an intent and the key details: 'where's my refund', 'can I change my size', 'do you ship to Canada'.
Work out what our sales team means by 'warm leads from the webinar' and turn it into precise filter criteria.
## query_interpretation complex
Our marketing team asks ambiguous questions in chat. For each of these, identify the intent, entities (metrics, dimensions, dates, filters), any ambiguity and the clarifying question to ask: 'how are we doing vs last year', 'top campaigns by region', 'why did signups drop', 'compare TikTok and Meta for Gen Z'.
Design the interpretation step for our analytics assistant: given a natural-language question, resolve relative dates, map business terms like 'active customer' and 'revenue' to our definitions, detect comparisons and groupings, and output a structured query plan. Walk through 3 example questions.
Here are 20 raw site-search queries from our logs. Interpret each one: normalize spelling, extract product type, attributes, price constraints and intent stage, flag queries we can't satisfy, and summarize recurring patterns.
Build an intent taxonomy for the free-text messages customers send our support bot, with definitions, example utterances, slot fields to extract for each intent, and rules for resolving ambiguous or multi-intent messages.
A user asked our data assistant: 'compare this quarter's top 5 products in the north to the same period last year, excluding returns, but only for loyalty members'. Decompose it into filters, groupings, time windows and metrics, note the ambiguities and produce the structured query spec.
For our natural-language analytics tool, interpret this question end to end: 'what drove the drop in repeat purchases among new customers acquired through {channel} after the price change, excluding the holiday weeks?' Identify the metrics, cohort, time windows, exclusions, implied comparison and what is ambiguous.
Take these 10 questions business users typed into our BI search box, interpret each into intent, metrics, dimensions, filters and time ranges, note which need clarification and draft the clarifying question for each.
Design the logic that turns any business question our team types into a precise, structured data request.
## sql_generation simple
Write a SQL query to count {table} by month.
SQL to get the top 10 customers by total spend.
How do I select all {table} created today in Postgres?
Write a query to find duplicate emails in the users table.
Give me SQL for total revenue last month from the orders table.
Write a SELECT that lists all active subscriptions.
SQL query to get the average order value per day.
Write a query that deletes test accounts from the {table} table.
How do I count distinct users in SQL?
Write SQL to find {table} with a null email.
Give me a SQL query for the number of signups per week.
Write SQL to list customers who signed up this week.
Write a query to get total {table} per day.
SQL for the 5 most popular products.
Write a SQL query for average session length.
Query to find users who never placed an order.
Write SQL to update the status of old {table} to archived.
Give me the SQL to join {table} and {table2} on customer_id.
Write a SQL query to get the number of orders per customer from the orders table.
Write SQL to find products that have never been ordered.
Write SQL for total revenue by month. Table: orders(id, customer_id, total, created_at).
Write a query for signups per day from users(id, email, created_at, source).
Create the SQL to find each customer's first and most recent order date and their number of orders.
Write a Postgres query for the median order value per country.
## sql_generation medium
Write a SQL query that joins {table} and {table2} to get {metric} per campaign for the {period}.
Write a Postgres query for monthly retention cohorts from the orders table (customer_id, created_at).
Write a BigQuery query to calculate the 7-day rolling average of daily signups from the events table.
I need SQL to find customers who bought in 2025 but not in 2026; tables customers(id, email) and orders(id, customer_id, created_at, total).
Write a MySQL query that ranks products by revenue within each category using a window function.
Turn this into SQL: which {channel} campaigns had a CTR above 2% last quarter? Table campaigns(id, name, channel, clicks, impressions, spend, date).
Write a SQL query to compute the funnel from page_view to add_to_cart to purchase per day from the events table.
Write a Snowflake query that pivots monthly revenue by region into columns.
Write SQL to calculate month-over-month growth in MRR from the subscriptions table.
Write a SQL query that calculates conversion rate by traffic source from the sessions and orders tables.
Write a query to find the top 3 products by revenue in each month of {period}.
Write SQL that flags customers whose spend dropped by more than 50% versus the previous quarter.
Write SQL to compute daily active users and a 28-day rolling average.
Write a query that returns email open rate and click rate per campaign from sends, opens and clicks tables.
Write a SQL query that returns each campaign's spend, clicks, conversions and cost per conversion for the last 30 days, sorted by cost per conversion.
Write SQL to calculate weekly revenue per region with a week-over-week change column.
## sql_generation complex
Write SQL for a full marketing attribution report: join sessions, touchpoints, orders and campaigns; compute first-touch, last-touch and linear attribution of revenue per channel for the {period}; handle customers with no touchpoints; output one row per channel with all three models. Use CTEs and explain each step.
Design Postgres SQL to build a customer LTV table: cohort by first purchase month, cumulative revenue at 30/60/90/180 days, churn flags after 90 days of inactivity, segmented by acquisition channel. Include the indexes you'd add for performance.
Optimize this slow query and rewrite it with window functions: for every user it computes their latest order, total orders and average basket across 3 joined tables with 50M rows, currently using correlated subqueries.
Write the SQL schema and queries for a reporting mart: fact tables for orders and ad spend, dimension tables for dates, channels and products, and queries for ROAS by channel by week with slowly changing dimensions handled.
Write a set of dbt SQL models to sessionize raw events, attribute conversions to campaigns, and produce a daily {metric} table with tests for uniqueness and not-null keys.
Write a SQL pipeline with CTEs that builds weekly cohorts, computes retention curves for 12 weeks, splits by plan and acquisition channel, and adds statistical confidence intervals per cell.
Write the SQL for an incremental daily aggregation job in BigQuery: merge new events into a partitioned summary table, handle late-arriving data for 3 days, dedupe by event_id, and compute revenue, sessions and {metric} per channel.
Write the SQL for our entire marketing analytics data model.
## insights_generation simple
What stands out in these numbers? {metric} 2.1% this month vs 3.4% last month.
Give me 3 insights from this survey result: 62% of customers want faster shipping.
What's the key takeaway from our {channel} stats this week?
Why might our open rate have dropped?
What does a 40% cart abandonment rate tell us?
Any insights from these results: 300 signups, 12 paid conversions?
What's the main lesson from our {event} numbers?
Why did our {metric} spike yesterday?
What insight can I get from the fact that most sales come on Sundays?
What's interesting about these review scores: 4.8, 4.7, 2.1, 4.9?
What does this tell us: returns doubled after we changed packaging?
Give me the headline insight from these campaign numbers.
What's the takeaway from our survey: 70% found us through friends?
Why would engagement be high but sales low?
What's driving the spike in cancellations?
Interpret these results for me: open rate 45%, click rate 0.8%.
Our email open rate is 35% but clicks are only 1%. What's the insight here?
Sales jumped 30% the week we ran the podcast ad. What does that suggest?
What stands out in this data? {series}
Any quick insights from this? {csv}
What's the takeaway here: {series}
What does it mean that most of our buyers come from Pinterest?
Anything interesting in these numbers? 40% repeat buyers, 12% refunds, AOV $48.
What can we learn from our best-performing post?
Why do you think people abandon their carts on our site?
Give me one insight from this: mobile traffic 80%, mobile conversions 30%.
## insights_generation medium
Here are our campaign results: email {metric} 3.2%, {channel} 1.1%, search 4.5%. What insights and recommendations can you draw?
Summarize the key insights from these 50 customer survey responses and what we should act on.
Look at this funnel: 10,000 visits, 1,200 add-to-carts, 300 checkouts, 180 purchases. Where are we losing people and why?
Pull actionable insights from our NPS comments: which themes drive detractors?
What insights can you take from this A/B test: variant B got 12% more clicks but 5% fewer conversions?
Based on this data, which customer segment is most valuable and what should we do about it?
Give me the top insights from our {period} {channel} performance and explain what's driving them.
What are the hidden patterns in our customer reviews for {product}? Give me insights we can use in marketing.
Our webinar had 800 registrations but only 150 attendees. What insights and fixes do you see?
Find the insights in this sales breakdown by region and product line and tell me what surprised you.
Read these 30 customer interview notes and tell me the top themes and what they mean for our product.
What insights can you draw from our {channel} analytics: reach up 40%, followers flat, saves up 15%?
Find the story in this data: new customers up 20%, revenue flat, AOV down 18%.
What are the main drivers of our {metric} based on this breakdown by segment?
Extract insights from our competitor's reviews that we could use to position {product}.
Analyze the results of our {event} and tell me what we learned and what to do differently.
Here are this month's results by channel: {channel} 40 sales, email 120, search 65, referrals 30. What insights and next steps do you see?
From these 20 customer reviews, what patterns stand out and what should we change?
Here's our channel data: {csv} What insights and recommendations do you have?
Here are the results from our customer survey: 45% price, 30% quality, 25% shipping as top complaint. What should we take away and act on first?
Compare the performance of our two landing pages from these numbers and tell me what insight explains the gap.
Look at our top 10 products by revenue and return rate and tell me what patterns you notice.
Explain what's behind the drop in our {metric} this month based on these segment numbers, and what to do.
## insights_generation complex
Analyze this quarter's performance across {channel}, email, paid search and organic: spend, {metric}, CAC, ROAS and revenue by channel and segment. Identify the 5 most important insights, explain the likely root causes, quantify the opportunity and recommend prioritized actions.
Dig into our customer data (purchase frequency, AOV, channels, product categories, support tickets) and generate deep insights about what distinguishes high-LTV customers from churned ones. Support each insight with evidence and propose experiments.
Synthesize insights from three sources: our sales data, 200 customer interviews and competitor pricing. Where do they agree or conflict, what's the underlying story, and what are the strategic implications for {brand}?
Go through our product usage data and support tickets and find the non-obvious insights: which behaviors predict upgrades, which features confuse people, and where the biggest revenue leaks are, with evidence and confidence for each.
Review 12 months of marketing data and produce an insight memo: what worked, what didn't, the counterintuitive findings, segment-level differences and the three bets we should make next, backed by numbers.
Combine our web analytics, CRM data and survey results to explain why our trial-to-paid conversion fell this quarter: form hypotheses, check each against the data, quantify the impact of each factor and recommend fixes in priority order.
Produce an insights deck outline from our customer data: 7 key findings with supporting metrics, segment comparisons, surprising patterns, confidence levels and the business decisions each finding should inform.
Find the deepest, most actionable insights hidden in all of our customer and sales data.
Go through our full-year data on pricing, promotions, channel mix and customer cohorts and tell me the five non-obvious insights that should change our strategy, with the evidence, the size of the effect and how confident we can be.
## evaluation simple
Which headline is better: '{headline}' or '{headline2}'?
Rate this tagline from 1 to 10: '{headline}'.
Is this email subject line good? 'Last chance: 20% off'
Grade this caption for clarity.
Does this sentence have grammar mistakes? 'Their going to love it.'
Score this product description out of 10.
Is this a good ad? 'Buy now, limited stock!'
Which of these two CTAs is stronger: 'Get started' or 'Try it free'?
Review my tweet before I post it: '{headline} - new drop Friday'
Check this paragraph for spelling errors.
Is this logo name any good: '{brand}'?
Pass or fail: does this caption follow our no-emoji rule?
Is this a good headline?
Grade my essay intro.
Which of these logos is better, A or B?
Score this cold email from 1 to 10.
Is this prompt clear enough?
Does this ad copy make sense?
Check if this answer is correct.
Proofread this and tell me if it's ready to send.
Rate our homepage headline.
Which of these two email subject lines is stronger, and why? A) 'Your summer glow awaits' B) '20% off sunscreen today'
Rate this Instagram caption out of 10 and give one tip to improve it.
Rate this caption out of 10: {paste}
Is this email ready to send? {paste}
Check this for typos and grammar: {paste}
Is this tagline any good: '{headline}'?
Honest opinion: is this subject line too long?
Rate my LinkedIn headline from 1 to 10.
Does this product name sound good?
Which version reads better, the first or the second?
Grade this answer for accuracy.
Review this paragraph and tell me if it's clear.
Evaluate this forecast against the actual numbers: predicted 1,200, actual 950.
How accurate were our predictions last month? Predicted 300 signups, got 240.
Is this search result relevant to the query 'vegan snacks'?
Did our campaign hit its goals? Goal 500 leads, got 430.
Judge whether this chatbot answer is correct.
Check whether this summary is faithful to the original article.
Critique my cover letter for a marketing manager role and score it out of 10.
Review this chatbot answer for correctness and helpfulness, and rate it 1-5.
## evaluation medium
Evaluate these three ad copies for {product} on clarity, persuasion and brand fit, and pick a winner.
Review this blog post draft and score it on structure, SEO, readability and accuracy, with comments.
Compare two AI-generated replies to a customer complaint and tell me which is more empathetic and accurate.
Assess whether this landing page copy follows our brand guidelines: friendly, concise, no jargon.
Fact-check this paragraph about {topic} and flag any claims that are wrong or unsupported.
Grade these 5 subject lines on a 1-5 scale for likely open rate and explain why.
Judge these two logo name ideas for memorability, domain availability risk and fit with {industry}.
Evaluate the quality of this translation against the English original and list the errors.
Assess this sales email for tone, length, personalization and likelihood to get a reply.
Evaluate this AI chatbot transcript and rate accuracy, tone and helpfulness, with examples.
Review our landing page copy and score it against clarity, value proposition and call to action.
Compare these two product descriptions and tell me which one is more likely to convert and why.
Assess the quality of these 10 generated captions and flag any that are off-brand.
Evaluate whether this blog post meets our editorial checklist and list what's missing.
Check these survey questions for bias and leading wording and rate each one.
Assess this vendor proposal against our requirements and give it a score.
Evaluate our classifier's predictions: here are 50 labels and predictions, compute precision and recall and comment.
Evaluate these three headline options for our {product} landing page on clarity, curiosity and brand fit, and rank them.
Review this customer support reply for accuracy, tone and completeness, and score each from 1 to 5.
Score this email on clarity, tone and call to action from 1 to 5 and explain each score: {paste}
Score these five Instagram captions for engagement potential and brand fit, then pick the best two.
Evaluate whether these AI-written product descriptions contain any factual errors compared to the spec sheet.
Benchmark these three prompt versions on the same input and tell me which produces the best output and why.
Critique this pitch deck outline for logic, clarity and persuasiveness, with a score per section.
Rate these two ad concepts on originality, clarity and likely performance with {audience}.
Evaluate how well our product recommendation model performs using these click-through numbers for recommended versus random items.
Assess the accuracy of our last 6 monthly sales forecasts against actuals and tell me whether the model is biased.
Evaluate the relevance of the top 10 search results for these 5 queries and give each result a score from 0 to 3.
Assess whether our A/B test result is trustworthy: 2,000 visitors per arm, 3.1% vs 3.6% conversion, ran for 5 days.
Evaluate our campaign against its objectives and KPIs and give it a grade with justification.
Compare the quality of the embeddings from two models by checking whether similar products end up close together in these examples.
Review the outputs of our translation model for these 10 sentences and rate fluency and accuracy.
## evaluation complex
Build an evaluation rubric for our AI-generated product descriptions (accuracy, brand voice, SEO, readability, compliance), then score the 10 samples below against it, justify each score and summarize the systematic weaknesses.
Evaluate the outputs of three different models on the same 20 customer-support prompts: score helpfulness, correctness, tone and safety, compute the average per model, highlight failure cases and recommend which model to use.
Do a thorough quality review of our agency's campaign deliverables: check the copy against the brief, consistency across channels, legal claims and accessibility of the visuals, and give pass/fail with required fixes for each item.
Audit these 15 landing page variants against conversion best practices: score each on 8 criteria with weights, rank them, explain the top and bottom performers and list fixes for each.
Judge our three agency pitch decks as if you were the client's CMO: strategic insight, creativity, feasibility, cost and team, with weighted scores, strengths and weaknesses and a final recommendation.
Run a structured evaluation of four email service providers for our needs: define weighted criteria (deliverability, price, automation, integrations, support), score each with justification, run a sensitivity check on the weights and recommend one.
Evaluate our prompt library: for each of the 25 prompts, test it against the 3 sample inputs, grade output quality on a rubric, identify failure patterns, and rank the prompts that need rewriting first.
Design and run a rigorous evaluation of the AI models we use for copywriting.
Set up an evaluation framework for our customer support bot: define test sets, scoring rubrics, automatic and human metrics, pass thresholds and a regression process, then apply it to the sample transcripts and report the results.
Evaluate our churn prediction model end to end: check the validation setup for leakage, compute precision, recall and calibration on the holdout results provided, compare it with a simple baseline, and tell us whether it's good enough to deploy.
Assess our whole marketing measurement setup: judge the attribution model, experiment design, dashboard accuracy and data quality, score each area, and list the fixes that would most improve decision quality.
## workflow_orchestration simple
Automate posting our new blog articles to {channel}.
Set up a workflow: when a new lead comes in, send a welcome email.
Chain these steps: summarize the article, then translate it into {lang}.
Run my weekly report workflow.
Schedule this campaign to go out every Monday at 9am.
Connect {platform} to Slack so new orders get posted in a channel.
Trigger the onboarding sequence when someone signs up.
Run the 'new product' workflow for our {product}.
Every Friday, send me a summary of the week's mentions.
Start the content pipeline for this week's newsletter.
Automate resizing and uploading our images after approval.
Automate our weekly newsletter.
Set up a trigger to post new products to {channel}.
Run the translate-and-publish workflow on this article.
Schedule a daily export of our leads.
Create an automation that tags new subscribers.
Kick off the image pipeline for the new collection.
When someone buys, send them a thank-you email automatically.
Run steps 1 to 3 of the onboarding flow for this client.
Set up an automation that sends new {channel} comments to our Slack channel.
When a new blog post is published, automatically share it on LinkedIn.
Automate this: every time I get a new review, post it in Slack.
Set up a recurring task to summarize our mentions every evening.
Run the publish workflow for today's posts.
Connect our form to {platform} and send each new entry to the team.
Create a trigger that emails me when a big order comes in.
## workflow_orchestration medium
Create a workflow that takes a product URL, writes a description, generates 3 images and posts them to {channel}.
Set up an automation: every morning pull yesterday's {channel} stats, summarize them and email the summary to the team.
Orchestrate a pipeline: transcribe our podcast episode, write show notes, draft 5 social captions and schedule them.
Build a multi-step flow in {platform}: when a form is submitted, enrich the lead, score it and route it to the right sales rep.
Run these tasks in order and pass each output to the next step: research {topic}, outline a blog post, draft it, then proofread it.
Design an agent workflow that checks competitor prices daily and alerts me when {competitor} drops prices.
Automate our review responses: fetch new reviews, classify sentiment, draft a reply and queue it for approval.
Set up a zap: when a deal closes in {platform}, create an invoice, notify finance in Slack and add the customer to our onboarding list.
Build a workflow that turns each new YouTube video into a blog post, a newsletter section and three tweets.
Create a recurring job that exports our {metric} data, updates the dashboard and pings me if it drops 10%.
Set up a pipeline that drafts a blog post from a keyword, generates a header image, and saves both to our CMS as a draft.
Automate lead handling: capture from the form, enrich with company data, score, and notify sales in Slack.
Chain these AI steps: extract key points from the transcript, write a LinkedIn post, then translate it into {lang}.
Build an automation that monitors our brand mentions and sends urgent negative ones to support.
Create a workflow that generates weekly social posts, waits for my approval, then schedules them in {platform}.
Coordinate these steps each month: pull ad spend, update the budget sheet, and alert me if we're over plan.
Create a workflow that pulls new product reviews every day, summarizes them, and emails the summary to the product team.
Automate our content process: when a draft is approved in {platform}, create images, schedule the posts and notify the team.
Build a workflow where each new product in Shopify gets a description written, an image generated and a post scheduled on {channel}.
Set up a pipeline: scrape competitor prices every morning, compare them with ours and send a summary to Slack.
Chain three steps: summarize customer feedback, draft replies, and queue them for my approval in {platform}.
Automate our weekly newsletter: collect the top posts, write a summary, generate a header image and send a draft to me.
## workflow_orchestration complex
Design an end-to-end content pipeline: ingest our product feed, generate SEO descriptions per product, translate them into {lang} and {lang2}, create images for each, add a reviewer approval step, publish to Shopify and log costs. Include retries, parallel steps, failure handling and notifications.
Orchestrate a multi-agent campaign workflow: one agent researches {audience}, one drafts copy, one generates visuals, one evaluates everything against the brief, and a coordinator loops until quality passes, then schedules posts across {channel} and email. Define the steps, handoffs and stop conditions.
Automate our monthly reporting: pull data from GA4, {platform} and our ad accounts, clean and merge it, compute KPIs, generate charts and a narrative summary, send it for approval and distribute the PDF to clients, with error alerts and a retry policy at every step.
Build an event-driven workflow for product launches: when a product is marked ready in {platform}, kick off copywriting, image generation, translation, legal review and scheduling in parallel where possible, with dependencies, timeouts, human approval gates and a rollback step.
Set up a daily orchestration across our tools: sync new orders from Shopify, update inventory in Airtable, trigger restock emails to suppliers below threshold, refresh ad audiences in {channel}, and post a status digest to Slack, with idempotent steps and alerts on failure.
Design a fault-tolerant orchestration for our nightly catalog pipeline: fetch supplier feeds, validate and transform them, generate descriptions and images with AI, run a quality check, publish to three storefronts, and notify the team; specify step dependencies, parallelism, retries, checkpoints and cost limits.
Create a multi-step agent workflow for customer research: scrape reviews, cluster themes, write a summary, generate persona drafts, get human approval, and publish to Notion, with branching when data is insufficient and a retry budget per step.
Orchestrate our entire content production process end to end with AI agents.
Design a multi-step automation across Shopify, {platform}, Slack and our email tool that handles the full order lifecycle: confirmation, fulfillment updates, review requests, upsell sequences and churn alerts, with retries, branching logic and monitoring.
## data_processing simple
Convert this CSV to JSON.
Remove duplicates from this list of emails.
Sort these names alphabetically: Zoe, Adam, Maria, Ken.
Format these dates as YYYY-MM-DD: 3/4/26, 12/11/25.
Split this full-name column into first and last name.
Lowercase and trim these tags.
Extract all email addresses from this text.
Turn this list into a comma-separated line.
Convert these prices from euros to dollars.
Strip the HTML tags from this text.
Count the rows per country in this {file}.
Fix the capitalization in this list of city names.
Convert this JSON to a CSV table.
Clean up this list of phone numbers.
Remove empty rows from this table.
Convert these timestamps to UTC.
Deduplicate this list of URLs.
Extract the domains from these email addresses.
Turn this messy text into a clean table.
Change all prices in this list to two decimals.
Merge these two lists and remove duplicates.
Convert this table to markdown.
Clean this list of 50 email addresses and remove any duplicates.
Convert these dates into a single format and sort them.
Convert this to JSON: {csv}
Sort this by date and remove duplicates: {csv}
Turn this into a clean table: {csv}
Clean up these rows, fix the capitalization and the dates: {csv}
Process this file: remove blank lines, trim spaces and sort it.
Extract every date mentioned in this text and list them.
Merge these two lists of SKUs and show which are missing from the second.
Reformat these phone numbers to +1 (555) 555-5555 format.
Reshape this wide table of monthly sales into long format with columns month, product and units.
Group these keywords by the product they mention and count them.
Aggregate these daily sales records into weekly totals per store.
## data_processing medium
Clean this customer {file}: standardize phone numbers, fix capitalization in names and remove rows without an email.
Merge these two spreadsheets on customer ID and flag records that appear in only one.
Parse these order-confirmation emails and extract order number, date, items and total into a table.
Normalize these product titles: remove emojis, fix inconsistent units (ml/mL/ML) and title-case them.
Deduplicate our contact list of 5,000 rows, matching on email and fuzzy-matching company names.
Categorize these 200 transactions into expense categories and output them as CSV.
Extract the product name, size and color from these messy SKU strings into separate columns.
Clean up this {file} of survey responses: unify yes/no answers, fix typos in country names and drop empty rows.
Standardize the addresses in this list and split them into street, city, postcode and country.
Tag each of these 300 support tickets with a category and priority and return a CSV.
Extract company names, job titles and locations from these LinkedIn profile texts into a table.
Convert this messy {file} into a clean format with consistent dates, currencies and column names.
Summarize each row of this spreadsheet of customer feedback into a one-line issue and sentiment.
Batch process these 1,000 product descriptions: fix encoding errors, strip HTML and limit to 500 characters.
Validate this list of 2,000 emails, remove invalid ones and report how many were dropped.
Standardize this {file}: unify country names, split full names into first and last, and remove rows with missing emails.
Extract the order ID, date and total from these 100 order emails into a CSV.
Clean this data: standardize the dates, fix names, drop rows without an email and output CSV. {csv}
Take this export, split the address column into street, city and zip, then group rows by city and count them.
Process these 500 survey responses: normalize the answers, map free text to categories, then output a summary table.
Parse this log text, pull out the timestamps, user IDs and error codes, and return them as a table sorted by time.
Enrich this list of companies with their industry based on the description column and output a new CSV.
## data_processing complex
We have 12 {file}s from different ad platforms with different column names, currencies and date formats. Map them to one schema, convert everything to USD using daily rates, dedupe overlapping rows, handle missing values and output one clean dataset with a data-quality log.
Process our raw event logs (2M rows of JSON): flatten nested fields, sessionize by user with a 30-minute timeout, filter bots, join with the customers table and output daily aggregates per channel as Parquet.
Build a cleaning pipeline for our CRM export: validate emails, standardize addresses, infer country from phone codes, merge duplicate contacts with conflict rules, anonymize PII for the analytics copy and document every transformation.
Transform our product catalog feed for three marketplaces: map our categories to each marketplace taxonomy, convert units, truncate titles to each limit, validate required attributes and output a separate file per marketplace with an error report.
Reconcile payments from Stripe, PayPal and our bank {file}: normalize formats, match transactions across sources by amount, date and reference with tolerance rules, flag unmatched or duplicated items, and produce a reconciliation table.
Design and run an ETL process for our marketing data: extract from five sources, standardize schemas, resolve customer identities across systems, apply data-quality rules with quarantine for bad rows, and load into the warehouse with an audit trail.
Process 50,000 free-text product reviews: detect language, translate non-English ones, extract product, rating, aspects and sentiment per aspect into structured columns, dedupe, and output a clean dataset plus a processing summary.
Clean, merge and restructure all of our customer data from every system we use.
## report_generation simple
Write a short weekly report on our {channel} performance.
Turn these notes into a status report.
Create a one-page summary report of our {event} results.
Write an executive summary of last month's sales.
Make a quick report of this week's website traffic.
Write a brief report on how our newsletter did this month.
Put together a short progress report for my manager.
Generate a daily sales report from these numbers.
Write up a quick incident report about yesterday's site outage.
Make a summary report of the meeting notes below.
Write a report on last week's campaign.
Summarize this month's numbers into a short report.
Create a brief report on our social media growth.
Draft a short status report for the client.
Write a summary report of our {event}.
Write the monthly report for {brand}.
Write a short report on this week's Instagram results: 12 posts, 4,300 likes, 210 new followers.
Turn these bullet points into a brief status report for the team.
Write a short weekly report from these numbers: {series}.
Turn these notes into a quick status report for my manager: {notes}
Make a brief sales report out of this: {series}
## report_generation medium
Write a monthly marketing report for our client: {metric} up 12%, spend ${budget}, 340 leads, top campaign {event}. Include highlights, lowlights and next steps.
Generate a campaign performance report for our {event} with sections for overview, results by channel, learnings and recommendations.
Create a quarterly social media report for {brand} from these numbers, formatted for the leadership team.
Draft a post-mortem report on our failed product launch based on these notes.
Write a report summarizing our customer survey results for the board, with key figures and suggested charts.
Prepare a weekly performance report for our {channel} ads with a table of spend, clicks, {metric} and conversions plus commentary.
Write an SEO report for {brand}'s website for the {period}: rankings, traffic, top pages and technical issues.
Create a competitor analysis report on {competitor} with sections for products, pricing, marketing and strengths/weaknesses.
Compile a report on our influencer campaign with reach, engagement, cost per result and creator-by-creator results.
Write the {period} project status report for our website redesign: progress, risks, budget and next milestones.
Create a monthly performance report for our {channel} account with an overview, key metrics table, top posts and recommendations.
Write a client-ready report on the results of our email campaign, including opens, clicks, revenue and learnings.
Draft a quarterly report for stakeholders on our website redesign project: progress, metrics, issues and next steps.
Write a report comparing this quarter's marketing results with last quarter, with a short executive summary.
Write a research report summarizing what we learned from 15 customer interviews about {product}.
Prepare a one-page weekly KPI report for the leadership team with commentary on each metric.
Write a monthly report for our client covering traffic, leads, top content and next month's plan, based on these numbers.
Create a campaign wrap-up report for our {event} with results by channel, what worked and recommendations.
Write a monthly report for the client with highlights, lowlights and next steps. Data: {series}. Notes: {notes}
## report_generation complex
Produce a comprehensive annual marketing report for {brand}: executive summary, performance by channel with YoY comparisons, budget vs actual, campaign case studies, acquisition and retention analysis, competitive landscape, lessons learned and next year's priorities. Use headings and tables, around 3,000 words.
Write a detailed investor update report covering revenue, growth metrics ({metric}, CAC, LTV), product milestones, team changes, marketing performance, risks and outlook, with an appendix of data tables.
Compile a full audit report of our {channel} and email programs: methodology, findings per area with evidence, severity ratings, benchmark comparisons for {industry}, and a prioritized action plan with owners and timelines.
Create a board-ready quarterly business review report: KPI scorecard versus targets, revenue bridge, channel performance, customer health, key initiatives status, risks and mitigation, and asks for the board, formatted with sections and tables.
Write a market research report on the {industry} sector for {city}: market size, segments, key players including {competitor}, consumer survey findings, regulatory context, opportunities and a recommendations section with sources.
Write the end-of-year performance report for our agency's biggest client: executive summary, goals versus results, channel-by-channel analysis with charts described, campaign highlights, budget efficiency, learnings, and a detailed plan for next year with targets.
Produce a detailed brand health report: awareness, consideration and NPS trends, share of voice versus {competitor}, sentiment analysis, customer segment differences, methodology notes and strategic recommendations, formatted for the board.
Write our complete annual report.
## predictive_analytics simple
Predict next month's sales from these numbers: 120, 135, 150, 160.
Will our {metric} go up next quarter?
Forecast our email list size by December.
Which customers are likely to churn?
What will our revenue be next month at this growth rate?
Estimate how many signups we'll get next week.
Predict how many people will attend our {event}.
Forecast next quarter's ad spend.
Will this product sell out before the holidays?
Project our follower count for the end of the year.
How many orders should we expect on Black Friday?
How many sales will we make next month?
Predict our website traffic for next week.
Which leads will probably convert?
Is this customer likely to cancel?
Forecast sign-ups for the rest of the year.
How much revenue should we expect in Q4?
What's the chance our campaign hits its target?
Based on these monthly sales (80, 95, 110, 120), what should we expect next month?
Will our newsletter reach 10,000 subscribers by June at this rate?
Predict next month from this: {series}
Based on {series}, what should we expect next?
Predict how many followers we'll have in 6 months.
Forecast next week's orders.
Which products will sell best next month?
What's the probability this lead converts?
Estimate our revenue for December.
Will sales go up after the price cut?
Project our {channel} follower growth for the next 12 months if we keep posting 4 times a week.
Use our historical data to predict which day next week will have the highest traffic.
## predictive_analytics medium
Forecast our monthly revenue for the next 6 months using the last 24 months of data, accounting for seasonality.
Design a churn prediction approach for our subscription {product}: which features to use and how to score customers.
Estimate how many units of {product} we'll sell during our {event} based on last year's numbers and 20% traffic growth.
Predict which leads are most likely to convert from our CRM data and explain the drivers.
What's the likely ROI if we double our {channel} ad spend next quarter? Model it out.
Forecast inventory needs for our top 20 products for the next 3 months.
Predict the open rate of our next campaign based on the last 30 sends and the subject line length.
Estimate customer lifetime value for each segment and predict next year's revenue per segment.
Using the last 12 months of data, forecast next quarter's revenue and explain the confidence.
Predict which of our subscribers are at risk of unsubscribing based on their engagement history.
Estimate next year's customer growth if churn stays at 3% a month and we add 500 customers monthly.
Forecast how much stock of {product} we need for the holiday season.
Score our leads by likelihood to buy and tell me which signals matter most.
Predict the outcome of our {event} based on past campaigns and current sign-ups.
Model what happens to revenue if we raise prices by 10%.
Forecast next quarter's revenue for each product line using the last two years of monthly data, and explain the main assumptions.
Predict which customers are most likely to churn next month from their usage and billing history, and list the top signals.
Forecast the next 3 months from this data and explain your method briefly: {series}
Predict next month's churn rate from our last 12 months of subscription data and list the main drivers.
Forecast the number of website visitors for each day of the next month, considering weekends and holidays.
Estimate how many customers will respond to our win-back campaign based on past campaigns.
Project our cash runway under current growth and two alternative growth scenarios.
## predictive_analytics complex
Build a demand forecasting model for our 300 SKUs across 4 regions using historical sales, promotions, holidays and weather; compare ARIMA against gradient boosting, report MAPE on a holdout and produce 13-week forecasts with prediction intervals.
Develop a customer lifetime value prediction model: define the target, engineer features from transactions and engagement, handle censoring, validate on a time-based split and explain how marketing should use the scores to set acquisition bids.
Create a marketing mix model to predict revenue from spend across {channel}, search, TV and email, with adstock and saturation effects, then simulate 3 budget scenarios for next year and forecast each outcome with uncertainty.
Build a churn model for our {product} subscribers: label definition, feature engineering from usage and billing, class imbalance handling, model comparison, calibration, and a plan to act on the top-risk decile with measured uplift.
Predict next year's revenue by month under three scenarios (base, optimistic, downturn) using our 4-year history, pipeline data and macro indicators; explain the assumptions, show confidence intervals and identify the biggest sources of forecast error.
Build a propensity-to-buy model for our email list: define the outcome window, engineer recency, frequency and engagement features, train and validate with time-based splits, calibrate scores, and show expected revenue lift if we target the top 20%.
Forecast daily demand for the next 90 days for each of our 50 stores with holiday and promotion effects, compare at least two forecasting methods with backtesting, and provide prediction intervals and staffing recommendations.
Build a full predictive model of customer lifetime value.
Build and validate a model that predicts which trial users will convert to paid, explain the features and their importance, estimate the revenue impact of acting on the predictions, and propose how to monitor model drift.
"""


if __name__ == "__main__":
    main()
