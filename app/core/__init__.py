"""Plain-Python core of Parley: no Qt is imported anywhere below this package."""
