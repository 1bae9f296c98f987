"""Rule profiles of the provinces: data files, their schema and loader, the calendar."""
