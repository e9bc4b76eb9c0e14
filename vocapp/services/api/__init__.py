"""The REST API's services: personal API tokens (``tokens``), paged reads (``reads``) and JSON imports
(``writes``). The web layer (``vocapp.web.api``) parses requests and calls these."""
