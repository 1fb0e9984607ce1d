from django.urls import path

from . import views

app_name = "papers"

# BibTeX keys contain slashes (journals/jmlr/GlorotB10), so paper addresses
# end in a <path:> converter and nothing may follow the key.
urlpatterns = [
    path("paper", views.lookup, name="lookup"),
    path("paper/<path:bibtex_key>", views.detail, name="detail"),
    path("bibtex/<path:bibtex_key>", views.bibtex, name="bibtex"),
    path("venues/", views.venues, name="venues"),
    path("venues/<path:name>", views.venue, name="venue"),
    path("years/", views.years, name="years"),
    path("years/<int:year>/", views.year, name="year"),
    path("authors/<int:pk>/", views.author, name="author"),
    path("search/", views.search, name="search"),
]
