from django.urls import path, register_converter

from . import views
from .paths import PathValueConverter

app_name = "papers"

register_converter(PathValueConverter, "pathvalue")

# BibTeX keys contain slashes (journals/jmlr/GlorotB10), so paper addresses
# end in a <pathvalue:> converter and nothing may follow the key.
urlpatterns = [
    path("paper", views.lookup, name="lookup"),
    path("paper/<pathvalue:bibtex_key>", views.detail, name="detail"),
    path("bibtex/<pathvalue:bibtex_key>", views.bibtex, name="bibtex"),
    path("venues/", views.venues, name="venues"),
    path("venues/<pathvalue:name>", views.venue, name="venue"),
    path("years/", views.years, name="years"),
    path("years/<int:year>/", views.year, name="year"),
    path("authors/<int:pk>/", views.author, name="author"),
    path("search/", views.search, name="search"),
]
