"""Pages for papers: the paper page, BibTeX export, listings and search."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render

from search.selectors import find_paper
from search.selectors import search as run_search
from shortscience import pagecache
from shortscience.pagination import page_number
from summaries.selectors import summaries_of_paper, votes_by_viewer

from . import selectors
from .export import bibtex_content_disposition
from .models import Author, Paper

PAGE_SIZE = 25


@pagecache.cache_page_for_visitors(
    pagecache.catalog, lambda bibtex_key: pagecache.paper_scope(bibtex_key)
)
def detail(request, bibtex_key):
    """Show a paper's metadata, its BibTeX entry and the summaries one may see."""
    try:
        paper = selectors.get_paper(bibtex_key)
    except Paper.DoesNotExist:
        raise Http404(f"No paper has the BibTeX key {bibtex_key!r}.") from None
    summaries = list(summaries_of_paper(paper=paper, viewer=request.user))
    # A member's own summary is always visible to them, private or not.
    own_summary = next((s for s in summaries if s.author_id == request.user.pk), None)
    return render(
        request,
        "papers/detail.html",
        {
            "paper": paper,
            "summaries": summaries,
            "own_summary": own_summary,
            "votes": votes_by_viewer(viewer=request.user, summaries=summaries),
        },
    )


def lookup(request):
    """Redirect ShortScience's old ``/paper?bibtexKey=<key>`` address for good."""
    key = request.GET.get("bibtexKey", "").strip()
    if not key:
        return HttpResponseBadRequest(
            "Missing bibtexKey: use /paper?bibtexKey=<BibTeX key>."
        )
    paper = get_object_or_404(Paper, bibtex_key=key)
    return redirect(paper, permanent=True)


def bibtex(request, bibtex_key):
    """Return the paper's BibTeX entry as a .bib file."""
    paper = get_object_or_404(Paper, bibtex_key=bibtex_key)
    response = HttpResponse(
        paper.bibtex or "", content_type="application/x-bibtex; charset=utf-8"
    )
    response["Content-Disposition"] = bibtex_content_disposition(paper.bibtex_key)
    return response


def _paper_page(request, queryset, template_context):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "papers/list.html", {"page": page, **template_context})


@pagecache.cache_page_for_visitors(pagecache.catalog)
def venues(request):
    return render(request, "papers/venues.html", {"venues": selectors.venue_counts()})


@pagecache.cache_page_for_visitors(pagecache.catalog)
def venue(request, name):
    queryset = Paper.objects.filter(venue=name)
    if not queryset.exists():
        raise Http404(f"No paper was published at {name!r}.")
    listing = selectors.paper_listing(viewer=request.user, queryset=queryset)
    return _paper_page(request, listing.order_by("-year", "title"), {"heading": name})


@pagecache.cache_page_for_visitors(pagecache.catalog)
def years(request):
    return render(request, "papers/years.html", {"years": selectors.year_counts()})


@pagecache.cache_page_for_visitors(pagecache.catalog)
def year(request, year):
    queryset = Paper.objects.filter(year=year)
    listing = selectors.paper_listing(viewer=request.user, queryset=queryset)
    return _paper_page(
        request, listing.order_by("venue", "title"), {"heading": f"Papers of {year}"}
    )


@pagecache.cache_page_for_visitors(pagecache.catalog)
def author(request, pk):
    person = get_object_or_404(Author, pk=pk)
    queryset = Paper.objects.filter(authorships__author=person)
    listing = selectors.paper_listing(viewer=request.user, queryset=queryset)
    return _paper_page(
        request,
        listing.order_by("-year", "title"),
        {"heading": f"Papers by {person.name}"},
    )


class _ResultPage:
    """The one fetched page of search results, sized as all of them for Paginator."""

    def __init__(self, results):
        self.results = results

    def count(self) -> int:
        return self.results.total

    def __len__(self) -> int:
        return self.results.total

    def __getitem__(self, window: slice):
        return self.results.hits if window.start == self.results.offset else []


@pagecache.cache_page_for_visitors(pagecache.catalog)
def search(request):
    """Search papers and summaries; a BibTeX key, arXiv id or DOI opens the paper."""
    query = request.GET.get("q", "").strip()
    if query:
        exact = find_paper(query)
        if exact is not None:
            return redirect(exact)
    number = page_number(request.GET.get("page"), PAGE_SIZE)
    results = run_search(
        query=query,
        viewer=request.user,
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    if not results.hits and results.total:
        # Past the last page: show the last one, as Paginator.get_page does.
        number = (results.total - 1) // PAGE_SIZE + 1
        results = run_search(
            query=query,
            viewer=request.user,
            offset=(number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    page = Paginator(_ResultPage(results), PAGE_SIZE).get_page(number)
    return render(
        request,
        "search/results.html",
        {
            "page": page,
            "query": query,
            "results": results,
            "heading": f"Search: {query}" if query else "Search",
        },
    )
