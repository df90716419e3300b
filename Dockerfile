# The production image: gunicorn serving Django, static files by whitenoise.
# Front-end libraries come from package-lock.json, Python packages from
# requirements.lock (hashes checked).

FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=mycity.settings
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 mycity
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY --from=assets /src/node_modules ./node_modules
COPY . .
# Build-time only values: the real ones come from the environment at run time.
RUN DEBUG=false SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=build \
      python manage.py compilemessages --ignore=node_modules -v 0 \
 && DEBUG=false SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=build \
      python manage.py collectstatic --no-input -v 0 \
 && mkdir -p /app/media /app/private && chown mycity:mycity /app/media /app/private
USER mycity
EXPOSE 8000
CMD ["gunicorn", "mycity.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--max-requests", "2000", "--max-requests-jitter", "200", "--access-logfile", "-", \
     "--forwarded-allow-ips", "*"]
