# casino-ledger server. Data (the SQLite file, the development key) lives in
# /app/var; mount a volume there, or set CASINO_LEDGER_DATABASE_URL to PostgreSQL.
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY projections ./projections
COPY api ./api
COPY schedulers ./schedulers
COPY chain ./chain
COPY audit ./audit
RUN pip install --no-cache-dir . && useradd --create-home ledger && mkdir -p var \
    && chown ledger var
USER ledger
VOLUME ["/app/var"]
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["casino-ledger", "serve", "--host", "0.0.0.0", "--port", "8000"]
