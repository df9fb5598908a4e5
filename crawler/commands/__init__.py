"""Scrapy commands of the project (``COMMANDS_MODULE``): ``crawl`` with nianbao's store check and exit status."""
