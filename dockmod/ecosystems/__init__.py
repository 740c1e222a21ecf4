"""Package managers and base-image families, as data (see ``images``)."""
