"""The machinery: project URLs and WSGI, templates, static files and cross-cutting apps."""
