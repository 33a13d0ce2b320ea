"""One module per console page (or pair of pages that belong together)."""
