"""The permission to read the district's aggregates: separate from any seat on a path."""
