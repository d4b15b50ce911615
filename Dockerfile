# The Playground in one container: one Streamlit process (about one core). For a class, run
# several behind a proxy with sticky sessions (deploy/README.md).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py ./
COPY .streamlit ./.streamlit
COPY app_logic ./app_logic
COPY app_pages ./app_pages
COPY assets ./assets
COPY mlp_core ./mlp_core
COPY static ./static
COPY ui ./ui
COPY viz ./viz
# The class board's SQLite file lives in data/ unless PLAYGROUND_DATABASE_URL names a database.
RUN useradd --create-home app && mkdir /app/data && chown app /app/data
USER app
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2)"
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address", "0.0.0.0", \
     "--server.port", "8501", "--server.headless", "true"]
