//! What a workspace decides (being extracted from the glue).
