"""The dbt docs site as people use it: generated against a warehouse, served or opened as one
static file, driven in headless Chromium for the screenshots in docs/ (include/bin/docs)."""
