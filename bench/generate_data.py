"""Fill a database with generated papers, members and summaries for benchmarks.

Usage: DATABASE_URL=... .venv/bin/python bench/generate_data.py
           [--papers N] [--summaries N] [--members N] [--seed N]

Papers are imported as generated BibTeX through ``papers.services``, so the
search index is written as in production. Summaries are built from the
paragraphs of ``summaries/sample_content`` (formulas included) mixed with
generated sentences on machine-learning topics; each distinct paragraph is
rendered once with the site's pipeline and summaries are composed from the
rendered paragraphs, then indexed through ``search.services``. The database
must be migrated and should be empty.
"""

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "summaries" / "sample_content"

TOPICS = [
    *("attention", "transformer", "convolution", "recurrent", "graph", "kernel"),
    *("bayesian", "variational", "adversarial", "contrastive", "diffusion"),
    *("reinforcement", "policy", "gradient", "optimization", "regularization"),
    *("normalization", "dropout", "pruning", "quantization", "distillation"),
    *("embedding", "retrieval", "segmentation", "detection", "translation"),
    *("generative", "flow", "autoencoder", "memory", "curriculum", "meta"),
    *("sparse", "robust", "federated", "causal", "equivariant", "spectral"),
]
OBJECTS = [
    *("networks", "models", "agents", "representations", "features", "layers"),
    *("estimators", "samplers", "classifiers", "language models", "images"),
    *("graphs", "policies", "priors", "posteriors", "trajectories", "tokens"),
]
VERBS = [
    *("improves", "stabilises", "accelerates", "regularises", "explains"),
    *("bounds", "simplifies", "generalises", "calibrates", "compresses"),
]
RARE = [
    *("wombat", "axolotl", "quokka", "pangolin", "narwhal", "okapi", "tarsier"),
    *("fossa", "kinkajou", "capybara", "numbat", "saola", "bilby", "dugong"),
]
FIRST = [
    *("Ada", "Alan", "Grace", "Ivan", "Mei", "Sofia", "Omar", "Lena", "Ravi"),
    *("Chen", "Hugo", "Nadia", "Tomás", "Yuki", "Zora", "Kofi", "Ines", "Pavel"),
]
LAST = [
    *("Smith", "Nguyen", "Garcia", "Kumar", "Okafor", "Schmidt", "Rossi", "Tanaka"),
    *("Dubois", "Novak", "Silva", "Haddad", "Larsen", "Moreau", "Ivanova", "Park"),
    *("Fischer", "Costa", "Mendes", "Kowalski", "Bauer", "Yilmaz", "Ortiz", "Sato"),
]
VENUES = [
    "Advances in Neural Information Processing Systems",
    "International Conference on Machine Learning",
    "International Conference on Learning Representations",
    "Journal of Machine Learning Research",
    "Conference on Computer Vision and Pattern Recognition",
]


def sample_paragraphs() -> list[str]:
    """Return the paragraphs (blocks between blank lines) of the sample summaries."""
    blocks = []
    for path in sorted(SAMPLE_DIR.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        blocks += [block.strip() for block in re.split(r"\n\s*\n", text)]
    return [block for block in blocks if block]


def sample_formulas(paragraphs: list[str]) -> list[str]:
    """Return the inline formulas of the sample summaries, such as ``$n_j$``."""
    return sorted({m for p in paragraphs for m in re.findall(r"\$[^$\n]+\$", p)})


def generated_sentence(rng: random.Random, formulas: list[str]) -> str:
    topic, other = rng.sample(TOPICS, 2)
    sentence = (
        f"{topic.capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"trained with {other}"
    )
    if rng.random() < 0.5:
        sentence += f", where {rng.choice(formulas)} controls the {rng.choice(TOPICS)}"
    if rng.random() < 0.05:
        sentence += f" on the {rng.choice(RARE)} benchmark"
    return sentence + "."


def paragraph_pool(rng: random.Random, size: int) -> list[str]:
    """Return ``size`` Markdown paragraphs: sample ones and generated ones."""
    samples = sample_paragraphs()
    formulas = sample_formulas(samples)
    pool = list(samples)
    while len(pool) < size:
        count = rng.randint(2, 5)
        pool.append(" ".join(generated_sentence(rng, formulas) for _ in range(count)))
    rng.shuffle(pool)
    return pool[:size]


def bibtex_entries(rng: random.Random, count: int) -> str:
    """Return ``count`` BibTeX entries with generated titles, authors and abstracts."""
    blocks = []
    for n in range(count):
        people = [
            f"{LAST[rng.randrange(len(LAST))]}{rng.randrange(800)}, "
            f"{FIRST[rng.randrange(len(FIRST))]}"
            for _ in range(rng.randint(1, 5))
        ]
        topic, other = rng.sample(TOPICS, 2)
        title = f"{topic.capitalize()} {rng.choice(OBJECTS)} for {other}"
        if rng.random() < 0.03:
            title += f" on {rng.choice(RARE)} data"
        abstract = " ".join(
            f"We show that {rng.choice(TOPICS)} {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)}."
            for _ in range(rng.randint(2, 4))
        )
        blocks.append(
            f"@inproceedings{{bench/{n:07d},\n"
            f"  author = {{{' and '.join(people)}}},\n"
            f"  title = {{{title} ({n})}},\n"
            f"  booktitle = {{{rng.choice(VENUES)}}},\n"
            f"  year = {{{2000 + n % 25}}},\n"
            f"  eprint = {{{1000 + n // 10000}.{n % 100000:05d}}},\n"
            f"  archivePrefix = {{arXiv}},\n"
            f"  abstract = {{{abstract}}}\n}}"
        )
    return "\n\n".join(blocks)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_members(count: int) -> list[int]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"bench{n}",
                display_name=f"Bench Member {n}",
                password=password,
            )
            for n in range(count)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return list(
        User.objects.filter(username__startswith="bench").values_list("pk", flat=True)
    )


def create_summaries(
    rng: random.Random, count: int, member_ids: list[int], pool_size: int
) -> None:
    """Insert ``count`` summaries composed of rendered paragraphs, and index them."""
    from django.db import transaction

    from papers.models import Paper
    from search.services import index_summaries
    from shortscience.markup import render_markdown
    from summaries.models import Summary, SummaryRevision

    pool = paragraph_pool(rng, pool_size)
    rendered = [render_markdown(paragraph) for paragraph in pool]
    paper_ids = list(Paper.objects.values_list("pk", flat=True))
    # One paper in a hundred is popular and gets about ten more summaries.
    popular = paper_ids[::100]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < count:
        pool_ids = popular if rng.random() < 0.1 else paper_ids
        pairs.add((rng.choice(pool_ids), rng.choice(member_ids)))
    batch = []
    for paper_id, author_id in pairs:
        chosen = rng.sample(range(len(pool)), rng.randint(3, 7))
        batch.append(
            Summary(
                paper_id=paper_id,
                author_id=author_id,
                source="\n\n".join(pool[i] for i in chosen),
                html="\n".join(rendered[i] for i in chosen),
                excerpt=rendered[chosen[0]],
                private=rng.random() < 0.05,
                anonymous=rng.random() < 0.1,
                score=int(rng.expovariate(0.3)),
            )
        )
        if len(batch) == 2000:
            _write_summaries(
                batch, Summary, SummaryRevision, index_summaries, transaction
            )
            batch = []
    _write_summaries(batch, Summary, SummaryRevision, index_summaries, transaction)


def _write_summaries(batch, Summary, SummaryRevision, index_summaries, transaction):
    with transaction.atomic():
        created = Summary.objects.bulk_create(batch)
        SummaryRevision.objects.bulk_create(
            SummaryRevision(summary=s, number=1, source=s.source, editor_id=s.author_id)
            for s in created
        )
        index_summaries(created)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--summaries", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--pool", type=int, default=3_000, help="distinct paragraphs")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)  # noqa: S311 -- reproducible test data
    setup_django()
    from papers.services import import_bibtex

    start = time.perf_counter()
    report = import_bibtex(bibtex_entries(rng, options.papers), source_name="bench")
    print(f"papers: {report.created} created in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    members = create_members(options.members)
    create_summaries(rng, options.summaries, members, options.pool)
    print(f"summaries: {options.summaries} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
