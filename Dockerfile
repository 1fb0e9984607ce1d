# The image that docker-compose.yml runs as web, migrate and the demo workers.
#
#   docker build -t shortscience .
#   docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu -t shortscience .
#
# TORCH_INDEX_URL picks where pip finds torch for the demo kernels: PyPI's
# default build for x86_64 bundles CUDA (several GB), the CPU index does not.
FROM python:3.11-slim-bookworm

ARG TORCH_INDEX_URL=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/app

# Dependencies first, so a change to the code reuses this layer.
COPY pyproject.toml README.md ./
RUN mkdir -p shortscience accounts papers summaries comments demos search \
    && pip install ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} '.[demos]' \
    && pip uninstall --yes shortscience

COPY . .
RUN pip install --no-deps -e . \
    && DJANGO_SETTINGS_MODULE=shortscience.settings.production \
       SECRET_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
       python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
    && mkdir -p /srv/media /srv/cache /srv/app/var \
    && chown app:app /srv/media /srv/cache /srv/app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "shortscience.wsgi:application", "--bind", "0.0.0.0:8000"]
