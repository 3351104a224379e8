import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings")
application = get_wsgi_application()

# A production server refuses to start on a secret key nobody chose (TSUNAGU_SECRET_KEY; see README).
from tsunagu.accounts.checks import require_production_secret  # noqa: E402

require_production_secret()
