//! ingest: paths and stdin → framed lines → normalize → the index writer.
