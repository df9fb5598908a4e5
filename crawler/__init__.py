"""The crawler stage: Scrapy spiders that find annual reports on disclosure portals and fill ``DATA/store``."""
