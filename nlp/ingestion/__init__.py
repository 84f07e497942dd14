"""Files into an index: the stages, the budgeted children that run them, one machine or Ray."""
