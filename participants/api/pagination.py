"""MI API v1 pagination: {"count", "next", "previous", "results"}, 100 a page, ?page_size= up to 1000."""

from rest_framework.pagination import PageNumberPagination


class MIPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
