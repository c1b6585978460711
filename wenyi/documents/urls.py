"""The documents' pages: the office's documents and archive (urls_documents) and the
certificates with their public verification (urls_certificates)."""

from wenyi.documents.urls_certificates import urlpatterns as certificate_patterns
from wenyi.documents.urls_documents import urlpatterns as document_patterns

app_name = "documents"

urlpatterns = [*document_patterns, *certificate_patterns]
