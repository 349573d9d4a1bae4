"""Server-rendered web pages: the rights-search page, the access-request form, the console."""
