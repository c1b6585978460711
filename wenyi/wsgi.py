import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenyi.settings")
application = get_wsgi_application()

# Django, the apps and the URL patterns live as long as the process: move them out of
# the cyclic collector's sight, so its full passes walk only what requests allocate
# (the nation-scale dashboard spent up to half its time in them) and forked workers
# do not copy pages just to mark them (Python's gc.freeze documentation)
gc.freeze()
