import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustnet.settings")

from proxy.fastpath import ConditionalMetadata

# Proxies' conditional polls of metadata.xml are answered before Django's request cycle.
application = ConditionalMetadata(get_wsgi_application())
