"""Sources of posts: the generated sample world (``trendminer.sources.sample``)."""
