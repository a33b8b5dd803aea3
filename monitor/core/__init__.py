"""The core: the values that cross boundaries (models, the Post JSON form, config) and the pure
pipeline and policy that turn posts into findings and actions."""
